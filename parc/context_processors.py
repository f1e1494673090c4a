from django.conf import settings


def portal(request):
    """What every page's header and footer need: the deployment flag for the banner."""
    return {"DEMO_MODE": settings.DEBUG}

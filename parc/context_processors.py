from django.conf import settings
from django.utils.functional import SimpleLazyObject

from units.selectors import memberships_of


def portal(request):
    """What every page's header and footer need. The user's units are read only when a
    template shows them (one query)."""
    user = getattr(request, "user", None)
    return {
        "DEMO_MODE": settings.DEBUG,
        # Names as written in settings (each in its own language, NFC), not translated.
        "PORTAL_LANGUAGES": settings.LANGUAGES,
        "my_memberships": SimpleLazyObject(lambda: memberships_of(user=user) if user else []),
    }

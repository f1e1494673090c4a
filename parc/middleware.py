from django.conf import settings
from django.middleware.gzip import GZipMiddleware
from django.utils import translation


class LocaleMiddleware:
    """Vietnamese unless the user chose English with the switcher (the language cookie).

    Django's own LocaleMiddleware also follows the browser's Accept-Language, and many office
    computers run an English Windows and browser: their users would land in English without
    asking for it. The portal's default is Vietnamese, so the browser's wish is ignored.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class ContentSecurityPolicyMiddleware:
    """Only this server's scripts, styles and images; no inline script anywhere.

    The portal's own pages also refuse inline styles. Django's admin writes style attributes in
    its templates, so under /admin/ inline styles (never scripts) are allowed.
    """

    BASE = (
        "default-src 'self'; script-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
    PORTAL = BASE + "; style-src 'self'"
    ADMIN = BASE + "; style-src 'self' 'unsafe-inline'"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = self.ADMIN if request.path.startswith("/admin/") else self.PORTAL
        response.headers.setdefault("Content-Security-Policy", policy)
        return response


class PageGZipMiddleware(GZipMiddleware):
    """Django's gzip, with its padding against BREACH, for pages only (HTML, JSON, text).

    Files — evidence, plan documents, spreadsheets — are mostly compressed already (PDF, xlsx,
    images), and sent as they are they keep their Content-Length, so the browser shows how far a
    20 MB download has come."""

    COMPRESSED_TYPES = ("text/", "application/json", "application/javascript", "image/svg+xml")

    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith(self.COMPRESSED_TYPES):
            return response
        return super().process_response(request, response)

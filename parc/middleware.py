from django.conf import settings
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

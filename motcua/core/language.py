"""The display language (ngôn ngữ hiển thị): Vietnamese unless the user chose English.

Django's ``LocaleMiddleware`` also follows the browser's ``Accept-Language``: a browser set to English
got the English header over content that exists only in Vietnamese (procedure names, legal texts,
officials' notes). Here the language comes from one place only, the cookie that Django's
``set_language`` view writes when the user presses a language button; without it (or with a code not
in ``LANGUAGES``) the page is Vietnamese, whatever the browser says.

Two areas stay Vietnamese even when English was chosen (docs/architecture.md, "Languages"):

* the **admin** (``/admin/``): its model and field names are the legal terms of the domain and its
  data (units, procedures, dossiers) is Vietnamese; half-translated it read "Select đơn vị to change";
* the **API** (``/api/``): other systems read its Vietnamese error messages (``core.api_errors``);
  a browser cookie must not change a machine contract.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

# Paths that are always served in LANGUAGE_CODE (see the module docstring).
VIETNAMESE_ONLY_PREFIXES = ("/admin/", "/api/")


def chosen_language(request: HttpRequest) -> str:
    """The language code of the request: the user's choice (cookie) if offered, else ``LANGUAGE_CODE``."""
    if request.path_info.startswith(VIETNAMESE_ONLY_PREFIXES):
        return settings.LANGUAGE_CODE
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if chosen in {code for code, _name in settings.LANGUAGES}:
        return chosen
    return settings.LANGUAGE_CODE


class ChosenLanguageMiddleware:
    """Replaces ``LocaleMiddleware``: activates :func:`chosen_language` for the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = chosen_language(request)
        request.LANGUAGE_CODE = language
        with translation.override(language):
            response = self.get_response(request)
        # The page depends on the language cookie, never on Accept-Language: caches key on Cookie.
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response

"""``{% language_choices as languages %}``: the offered languages, each named in its own language.

From ``settings.LANGUAGES`` as written there ("Tiếng Việt", "English", NFC): Django's
``get_available_languages`` translates the names into the page's language ("Tiếng Anh"), and its
``name_local`` is not NFC.
"""

from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def language_choices() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in settings.LANGUAGES]

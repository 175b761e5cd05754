"""Template helpers of the citizen portal."""

from __future__ import annotations

from typing import Any

from django import template

from motcua.portal.access import is_applicant_account

register = template.Library()


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """``mapping[key]`` or "" (a dict looked up by a variable key)."""
    if isinstance(mapping, dict):
        return mapping.get(key, "")
    return ""


@register.filter
def is_applicant(user: Any) -> bool:
    """Whether the signed-in account is a citizen or organisation (the applicant navigation)."""
    return is_applicant_account(user)

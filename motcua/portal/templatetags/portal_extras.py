"""Template helpers of the citizen portal."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """``mapping[key]`` or "" (a dict looked up by a variable key)."""
    if isinstance(mapping, dict):
        return mapping.get(key, "")
    return ""

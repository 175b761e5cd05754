"""Template filters and tags for the Vietnamese display formats of ``motcua.core.formatting``.

``{{ amount|vnd }}``, ``{{ number|vn_number }}``, ``{% duration amount unit %}``.
"""

from __future__ import annotations

from django import template

from motcua.core.formatting import format_duration, format_number, format_vnd

register = template.Library()

register.filter("vn_number", format_number)
register.filter("vnd", format_vnd)
register.simple_tag(format_duration, name="duration")

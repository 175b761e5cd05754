"""Template filters and tags for the display formats of ``motcua.core.formatting``.

``{{ amount|vnd }}``, ``{{ number|vn_number }}``, ``{% duration amount unit %}``: Vietnamese formats,
English ones when English was chosen (the filters' names predate that).
"""

from __future__ import annotations

from django import template

from motcua.core.formatting import format_duration, format_number_display, format_vnd

register = template.Library()

register.filter("vn_number", format_number_display)
register.filter("vnd", format_vnd)
register.simple_tag(format_duration, name="duration")

"""``{{ text|citizen }}``: a catalogue text without its internal data notes (catalog.public)."""

from __future__ import annotations

from django import template

from motcua.catalog.public import citizen_text

register = template.Library()
register.filter("citizen", citizen_text)

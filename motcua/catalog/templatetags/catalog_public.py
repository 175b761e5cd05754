"""``{{ text|citizen }}``: a catalogue text without its internal data notes (catalog.public);
``{% fee_summary status total %}``: a dossier's fee line in the page's language (catalog.fees)."""

from __future__ import annotations

from django import template

from motcua.catalog.fees import fee_summary_display
from motcua.catalog.public import citizen_text

register = template.Library()
register.filter("citizen", citizen_text)
register.simple_tag(fee_summary_display, name="fee_summary")

"""``makemessages`` without fuzzy matching (``make messages`` runs it for the English catalogue).

Django's command lets ``msgmerge`` guess a translation for every new msgid from a similar old one and
mark it fuzzy: "%(amount)s ngày" inherited "%(amount)s VND" from "%(amount)s đồng". A guess is worse
than an empty msgstr, which ``core/tests/test_i18n.py`` reports as untranslated.
"""

from __future__ import annotations

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]

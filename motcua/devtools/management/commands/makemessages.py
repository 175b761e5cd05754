"""``makemessages`` without fuzzy matching, knowing ``pgettext_noop`` (``make messages`` runs it).

Django's command lets ``msgmerge`` guess a translation for every new msgid from a similar old one and
mark it fuzzy: "%(amount)s ngày" inherited "%(amount)s VND" from "%(amount)s đồng". A guess is worse
than an empty msgstr, which ``core/tests/test_i18n.py`` reports as untranslated.

``motcua.core.translation.pgettext_noop(context, message)`` marks the action registry's names with a
context; xgettext is told to read it like ``pgettext``.
"""

from __future__ import annotations

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=pgettext_noop:1c,2"]

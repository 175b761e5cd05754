"""``pgettext_noop``: mark a string with a context for the catalogue, keep it a plain string.

Django has ``gettext_noop`` but no contextual twin. The dossier engine's action names need one: "Dừng
xử lý" is a button ("Stop processing") in the action registry and a status ("Processing stopped") in
the choices, the same Vietnamese for two English texts. The registry marks its names with this
function and the context "thao tác" (``ACTION``; xgettext reads only a literal there); pages translate
them with ``{% translate a.label context "thao tác" %}``, Python with ``pgettext(ACTION, label)``.
``makemessages`` knows the keyword (``devtools/management/commands/makemessages.py``).
"""

from __future__ import annotations

ACTION = "thao tác"


def pgettext_noop(context: str, message: str) -> str:
    """``message`` unchanged; ``makemessages`` records it under ``context``."""
    return message

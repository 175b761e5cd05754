"""Reads of the notifications app."""

from __future__ import annotations

from motcua.dossiers.models import Dossier

# What ``messages.applicant_message_build`` reads of a dossier. The worker reads one dossier per
# e-mail: the full read (``dossiers.selectors.dossier_get``, eleven joined tables) cost ~25 ms of
# CPU per job, nearly all in compiling its SQL; this one is a fraction of that.
MESSAGE_FIELDS = ("code", "applicant_name", "applicant_email", "due_at", "procedure__name")


def dossier_for_message(*, dossier_id: int) -> Dossier | None:
    """The dossier an applicant e-mail is about (only what the message says of it), or None."""
    try:
        return Dossier.objects.select_related("procedure").only(*MESSAGE_FIELDS).order_by().get(pk=dossier_id)
    except Dossier.DoesNotExist:
        return None

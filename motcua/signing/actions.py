"""The action "Ký số kết quả" in the engine's registry (``dossiers.actions.action_register``)."""

from __future__ import annotations

from motcua.accounts.models import Account
from motcua.core.translation import pgettext_noop
from motcua.dossiers.actions import ActionIn, ActionSpec, action_register
from motcua.dossiers.models import Dossier
from motcua.dossiers.rules import Action, signer_error


class SignResultIn(ActionIn):
    """Ký số kết quả: the leader signs, the organisation seals; the number is allocated by the system."""


def _leader_only(actor: Account, dossier: Dossier) -> str | None:
    return signer_error(actor, dossier)


def _service(*, actor: Account, dossier: Dossier, row_version: int) -> Dossier:
    from motcua.signing.services import result_sign

    return result_sign(actor=actor, dossier=dossier, row_version=row_version)


SIGN_RESULT_SPEC = ActionSpec(
    "sign_result",
    pgettext_noop("thao tác", "Ký số kết quả"),
    SignResultIn,
    _service,
    one_click=True,
    # Same step as the manual record of a signature (between the decision and the return), leaders only.
    rule=Action.RECORD_SIGNATURE,
    permission=_leader_only,
)


def sign_result_register() -> None:
    action_register(SIGN_RESULT_SPEC)

"""Typed errors of the dossier engine, each with a Vietnamese message for the official or citizen.

Every error is raised before anything is written (or inside the transaction, which then rolls back),
so a refused action changes nothing: no state, no event, no job.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied


class DossierError(Exception):
    """Base of the engine's errors; ``message`` is shown to the user as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class DossierActionNotAllowed(DossierError):
    """The action is not possible in the dossier's current state or step."""


class DossierPermissionDenied(DossierError, PermissionDenied):
    """The actor lacks the role in the unit the action needs (views turn it into HTTP 403)."""


class DossierConflict(DossierError):
    """Someone else changed the dossier since the official loaded it (row_version mismatch)."""

    def __init__(self, message: str | None = None, *, current_version: int | None = None) -> None:
        super().__init__(
            message
            or "Hồ sơ đã được người khác cập nhật trong lúc bạn thao tác. "
            "Vui lòng tải lại hồ sơ và thực hiện lại."
        )
        self.current_version = current_version


class DossierInvalid(DossierError):
    """Bad input: ``errors`` maps a field name to its Vietnamese message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors

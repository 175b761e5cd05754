"""The seam to public dossier tracking — tra cứu hồ sơ: the portal registers its lookup here.

Tracking by code follows the public rules (``portal.tracking``: the public view for anyone, personal
details only with the verifier digits, and its rate limits on lookups and wrong verifiers). The
assistant sits below the channels and cannot import the portal, so the portal registers its lookup at
start-up (``portal.apps``) and the assistant calls it through this protocol.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from motcua.dossiers.selectors import PublicDossierView


class TrackingOutcome(Protocol):
    """What ``portal.tracking.TrackingResult`` gives: one of view / not_found / limited / message."""

    @property
    def view(self) -> PublicDossierView | None: ...
    @property
    def not_found(self) -> bool: ...
    @property
    def limited(self) -> bool: ...
    @property
    def message(self) -> str: ...
    @property
    def verifier_wrong(self) -> bool: ...


Tracker = Callable[..., TrackingOutcome]  # (*, request, code, verifier) -> outcome

_tracker: Tracker | None = None


def tracker_register(tracker: Tracker) -> None:
    global _tracker
    _tracker = tracker


def tracker() -> Tracker | None:
    return _tracker

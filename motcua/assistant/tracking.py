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

    view: PublicDossierView | None
    not_found: bool
    limited: bool
    message: str
    verifier_wrong: bool


Tracker = Callable[..., TrackingOutcome]  # (*, request, code, verifier) -> outcome

_tracker: Tracker | None = None


def tracker_register(tracker: Tracker) -> None:
    global _tracker
    _tracker = tracker


def tracker() -> Tracker | None:
    return _tracker

"""Demo dossiers — hồ sơ mẫu for ``motcua load-demo``: a few hundred, in every state, at the demo units.

They are simulated histories (``devtools.simulation``) rather than calls to the services, because the
services take their time from the clock and a demo needs dossiers received weeks ago, late ones and
returned ones. Only the demo centres receive them (provincial centre, phường Hạ Long, phường Bãi
Cháy, đặc khu Cô Tô) and only procedures whose every step has a demo official are used, so every
dossier was acted on by the demo accounts of README.md and sits in their queues.

Only procedures with complete data are used — a published processing time, so every received dossier
has its due time and the demo shows due-soon and overdue dossiers (issue 8). With the shipped
catalogue none of the procedures the provincial centre receives publishes one, so its demo queue is
empty until an administrator completes them.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.conf import settings

from motcua.devtools.demo_officials import demo_officials_ensure
from motcua.devtools.simulation import MARKER_KEY, PlayedDossier, simulate
from motcua.dossiers.models import ApplicantKind, DossierEvent, DossierState
from motcua.org.services import commune_centre_slug

# The provincial centre and the centres of the demo communes (``devtools.demo_officials.DEMO_ACCOUNTS``).
DEMO_CENTRES: tuple[str, ...] = (
    "pvhcc-tinh",
    commune_centre_slug(6688),  # phường Hạ Long
    commune_centre_slug(6673),  # phường Bãi Cháy
    commune_centre_slug(7192),  # đặc khu Cô Tô
)
DEMO_SEED = 20260101
DEMO_DAYS = 60


def demo_dossiers_present() -> bool:
    """Whether the demo dossiers were loaded (one indexed query on the first events)."""
    return DossierEvent.objects.filter(
        seq=1, dossier__receiving_unit__slug__in=DEMO_CENTRES, **{f"data__{MARKER_KEY}": "demo"}
    ).exists()


def demo_dossiers_ensure(*, count: int = 300, seed: int = DEMO_SEED, now: datetime | None = None) -> int:
    """Load ``count`` demo dossiers received over the last 60 days unless they are there; returns how many.

    Idempotent: a rerun finds them and writes nothing. Every state occurs at least once (the first
    eleven dossiers are placed so that "now" falls in each state); the rest follow the realistic mix
    of the simulation (channels, supplements, transfers, lateness, refusals, withdrawals, stops). Some
    are the demo identities' own (``DemoIdentityChooser``), recorded so when they are created.
    """
    if demo_dossiers_present():
        return 0
    demo_officials_ensure()
    result = simulate(
        dossiers=count,
        days=DEMO_DAYS,
        seed=seed,
        now=now,
        centre_slugs=DEMO_CENTRES,
        demo=True,
        force_all_states=True,
        batch=max(count, 1),
        workers=1,
        applicant=DemoIdentityChooser(),
    )
    return result.dossiers


# Which demo dossiers each demo identity of the sandbox identity provider gets, by state: a citizen who
# logs in to the demo finds a supplement to answer, a fee to pay (status 6: payable through the sandbox
# bank, offline), a dossier in progress and a result to rate.
_IDENTITY_STATES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "022090001234",
        (
            DossierState.SUPPLEMENT_REQUESTED,
            DossierState.AWAITING_PAYMENT,
            DossierState.PROCESSING,
            DossierState.RETURNED,
        ),
    ),
    ("022192004567", (DossierState.RESULT_READY, DossierState.ACCEPTED)),
    # Organisations apply for fewer procedures: whichever of these states the demo has for them.
    (
        "5700100256",
        (DossierState.PROCESSING, DossierState.RETURNED, DossierState.ACCEPTED, DossierState.RESULT_READY),
    ),
)


def demo_identities() -> dict[str, Any]:
    """The demo people and organisations of the local stand-ins (``data/demo/citizens.json``)."""
    path = Path(settings.MOTCUA_DATA_DIR) / "demo" / "citizens.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


class DemoIdentityChooser:
    """The applicant chooser (``simulate(applicant=…)``) that gives demo dossiers to the demo identities.

    Called with the demo dossiers in order (ids ascending), it takes for each identity and state of
    ``_IDENTITY_STATES`` the first dossier in that state at a demo centre whose applicant is of the
    identity's kind, in the fixed order of ``_IDENTITY_STATES``: the same seed gives the same choice.
    The identity is recorded as the applicant when the dossier is created — in its row and in its first
    event — so ``motcua verify-audit`` finds rows that agree with their events. Such a dossier is linked
    to the account when that identity logs in (``dossiers_link_to_applicant``), as a counter dossier of
    a real citizen is.
    """

    def __init__(self) -> None:
        people = demo_identities()
        self.by_number: dict[str, dict[str, str]] = {
            **{c["personal_id"]: c for c in people["citizens"]},
            **{o["tax_code"]: o for o in people["organisations"]},
        }
        # (number, state) still to give, in the order of ``_IDENTITY_STATES``.
        self.wanted: list[tuple[str, str]] = [
            (number, state) for number, states in _IDENTITY_STATES for state in states
        ]

    def __call__(self, dossier: PlayedDossier) -> dict[str, Any] | None:
        if dossier.receiving_unit not in DEMO_CENTRES or dossier.applicant_id_number in self.by_number:
            return None
        for wanted in self.wanted:
            number, state = wanted
            identity = self.by_number[number]
            organisation = "tax_code" in identity
            kind = ApplicantKind.ORGANISATION if organisation else ApplicantKind.PERSON
            # Of the same kind: a procedure open only to citizens keeps a citizen as applicant.
            if state != dossier.state or kind != dossier.applicant_kind:
                continue
            self.wanted.remove(wanted)
            name = identity["name"] if organisation else identity["full_name"]
            return {
                "applicant_name": name,
                "applicant_id_number": number,
                "applicant_birth_date": None if organisation else date.fromisoformat(identity["birth_date"]),
                "applicant_phone": identity["phone"],
                "applicant_email": identity["email"],
                "applicant_address": identity["address" if organisation else "permanent_address"],
            }
        return None

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

from datetime import datetime

from motcua.devtools.demo_officials import demo_officials_ensure
from motcua.devtools.simulation import MARKER_KEY, simulate
from motcua.dossiers.models import DossierEvent
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
    of the simulation (channels, supplements, transfers, lateness, refusals, withdrawals, stops).
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
    )
    return result.dossiers

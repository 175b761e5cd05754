"""Periodic jobs of the notifications app (imported by ``JobsConfig.ready``)."""

from __future__ import annotations

from datetime import date, time

from motcua.jobs.periodic import periodic
from motcua.jobs.registry import JobContext
from motcua.notifications.digest import officials_digest_send
from motcua.worktime.selectors import is_working_day

OFFICIALS_DIGEST = "notifications.officials_digest"


@periodic(OFFICIALS_DIGEST, at=time(7, 0), atomic=False)
def officials_digest(ctx: JobContext) -> None:
    """07:00 every day; only working days (the province's calendar) send anything."""
    day = date.fromisoformat(str(ctx.payload["period"]))
    if not is_working_day(day):
        return
    officials_digest_send(day=day)

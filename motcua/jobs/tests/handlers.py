"""Job handlers used by the tests (also imported by the worker subprocess via ``--import``)."""

from __future__ import annotations

import time
from pathlib import Path

from django.contrib.auth.models import Group
from django.db import connection

from motcua.jobs import stopping
from motcua.jobs.services import JobContext, job_handler

# Calls seen in this process, for in-process tests: (name, idempotency_key, attempt).
CALLS: list[tuple[str, str, int]] = []


class HandlerFailure(RuntimeError):
    """The failure the flaky test handlers raise."""


def _effect(ctx: JobContext) -> None:
    # A database write standing for the handler's real effect: one row per applied attempt, so a
    # re-applied job shows up as two rows.
    Group.objects.create(name=f"effect:{ctx.idempotency_key}:{ctx.attempt}")


@job_handler("tests.effect")
def effect(ctx: JobContext) -> None:
    CALLS.append((ctx.name, ctx.idempotency_key, ctx.attempt))
    _effect(ctx)


@job_handler("tests.flaky", max_attempts=4)
def flaky(ctx: JobContext) -> None:
    """Writes its effect, then fails until attempt ``payload["succeed_on"]`` (never if absent)."""
    CALLS.append((ctx.name, ctx.idempotency_key, ctx.attempt))
    _effect(ctx)  # rolled back with the failed attempt
    succeed_on = ctx.payload.get("succeed_on")
    if succeed_on is None or ctx.attempt < succeed_on:
        raise HandlerFailure(f"attempt {ctx.attempt} failed")


@job_handler("tests.timeout")
def timeout(ctx: JobContext) -> None:
    """Writes its effect, then works for longer than any timeout the tests set (swallowing Exception
    on the way, as a careless handler might: the timeout must still end it)."""
    _effect(ctx)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            time.sleep(0.01)
        except Exception:  # the point: JobTimedOut is not an Exception
            continue


@job_handler("tests.external", atomic=False)
def external(ctx: JobContext) -> None:
    CALLS.append((ctx.name, ctx.idempotency_key, ctx.attempt))


@job_handler("tests.blocking")
def blocking(ctx: JobContext) -> None:
    """Write the effect, record the attempt, then wait until the test creates ``release``.

    The killed-worker test SIGKILLs the worker while this waits, i.e. mid-transaction.
    """
    workdir = Path(ctx.payload["dir"])
    _effect(ctx)
    # Outside the transaction on purpose: survives the kill, and tells the test the effect is written.
    with (workdir / "attempts").open("a") as log:
        log.write(f"{ctx.attempt}\n")
    deadline = time.monotonic() + 30
    while not (workdir / "release").exists():
        if time.monotonic() > deadline:
            raise TimeoutError("the test never released the blocking handler")
        time.sleep(0.02)


@job_handler("tests.slow")
def slow(ctx: JobContext) -> None:
    """Write the effect, log ``key attempt``, then work until the test creates ``release`` (≤ 90 s).

    Stands for a handler waiting on a slow mail server or DVCQG: the graceful-stop test sends SIGTERM
    to its worker meanwhile.
    """
    workdir = Path(ctx.payload["dir"])
    _effect(ctx)
    with (workdir / "attempts").open("a") as log:
        log.write(f"{ctx.idempotency_key} {ctx.attempt}\n")
    deadline = time.monotonic() + 90
    while not (workdir / "release").exists() and time.monotonic() < deadline:
        time.sleep(0.05)


@job_handler("tests.stops_worker")
def stops_worker(ctx: JobContext) -> None:
    """Writes its effect, then the worker is told to stop while this handler runs (as SIGTERM would)."""
    CALLS.append((ctx.name, ctx.idempotency_key, ctx.attempt))
    _effect(ctx)
    stopping.request_stop()


@job_handler("tests.slow_query")
def slow_query(ctx: JobContext) -> None:
    """Writes its effect, then waits in the database (PostgreSQL) longer than the test's timeout."""
    _effect(ctx)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(30)")

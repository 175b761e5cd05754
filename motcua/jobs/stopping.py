"""Interrupting a handler: on a stop request (SIGTERM/SIGINT) or when it overruns its time limit.

The worker runs handlers in its main thread. A signal handler raises an exception into that thread
only while a handler runs (``interruptible()``), never inside the worker's own bookkeeping (claiming,
completion, release), which must not be cut half-way:

* SIGTERM/SIGINT (``request_stop``): no new job starts (a flag the claim loop reads between jobs).
  The handler in hand may finish within ``STOP_GRACE_SECONDS`` (``configure``; a mail being sent is
  not cut off half-way and sent again by the next worker); past the grace, or on a second signal,
  or at once with no grace, it gets ``JobInterrupted`` — the attempt's transaction rolls back and the
  job is released (pending again, the attempt not counted).
* SIGALRM (armed with ``setitimer`` for ``TIMEOUT_SECONDS``): ``JobTimedOut`` — a failed attempt,
  retried with backoff like any other failure. The process is not replaced.
  The grace shares this one timer: a stop re-arms it for the grace when that ends first, and the
  alarm then means "interrupt", not "timed out".

Both are ``SystemExit`` subclasses: a handler's ``except Exception`` does not swallow them, and
psycopg cancels a query they interrupt (it does so for ``KeyboardInterrupt`` and ``SystemExit`` only),
so the connection stays usable for the rollback and the release that follow.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class JobInterrupted(SystemExit):
    """Raised inside a handler when its worker is stopping."""


class JobTimedOut(SystemExit):
    """Raised inside a handler that ran longer than ``TIMEOUT_SECONDS``."""


# This process's state; only its main thread changes them (signal handlers run there).
_stopping = False
_handler_running = False
_grace_seconds = 0.0
# Set when a stop re-armed the timer for its grace: the next alarm interrupts instead of timing out.
_alarm_is_stop = False


def stopping() -> bool:
    """True once this worker has been told to stop: jobs claimed and not started are released."""
    return _stopping


def configure(*, grace_seconds: float) -> None:
    """How long a stop lets the handler in hand run on (the worker sets ``STOP_GRACE_SECONDS``)."""
    global _grace_seconds
    _grace_seconds = max(0.0, grace_seconds)


def request_stop(signum: int = signal.SIGTERM, frame: FrameType | None = None) -> None:
    """The worker's SIGTERM/SIGINT handler (also callable directly)."""
    global _stopping, _alarm_is_stop
    first = not _stopping
    _stopping = True
    if not _handler_running:
        return
    if first and _grace_seconds > 0:
        # Let it finish, but no longer than the grace (nor than its own time limit, already armed).
        remaining = signal.getitimer(signal.ITIMER_REAL)[0]
        if remaining == 0 or _grace_seconds < remaining:
            _alarm_is_stop = True
            signal.setitimer(signal.ITIMER_REAL, _grace_seconds)
        return
    raise JobInterrupted


def reset() -> None:
    """Forget a stop request (a fresh worker process, or a test)."""
    global _stopping
    _stopping = False


def _alarm(signum: int, frame: FrameType | None) -> None:
    if _handler_running:
        if _alarm_is_stop:
            raise JobInterrupted
        raise JobTimedOut


@contextmanager
def interruptible(*, timeout_seconds: float) -> Iterator[None]:
    """Run the handler in this block: a stop raises ``JobInterrupted``, an overrun ``JobTimedOut``."""
    global _handler_running, _alarm_is_stop
    if _stopping:  # asked before the handler began: do not start it
        raise JobInterrupted
    if threading.current_thread() is not threading.main_thread():
        # Signals reach the main thread only (jobs run elsewhere, e.g. from a test server's thread):
        # no time limit there, and no interruption.
        yield
        return
    previous = signal.signal(signal.SIGALRM, _alarm)
    _alarm_is_stop = False
    signal.setitimer(signal.ITIMER_REAL, timeout_seconds)
    _handler_running = True
    try:
        yield
    finally:
        # Flag first: an alarm or stop arriving between these lines is then ignored, not raised here.
        _handler_running = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)

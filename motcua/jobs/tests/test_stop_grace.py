"""The stop grace (``STOP_GRACE_SECONDS``, stopping.py) in the worker's own process: after SIGTERM the
handler in hand runs on and may finish; past the grace, or at a second signal, it is interrupted. The
same with real processes and SIGTERM: test_worker_stop.py."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from motcua.jobs import stopping
from motcua.jobs.stopping import JobInterrupted, JobTimedOut, interruptible


@pytest.fixture(autouse=True)
def _grace() -> Iterator[None]:
    stopping.reset()
    stopping.configure(grace_seconds=30)
    yield
    stopping.configure(grace_seconds=0)
    stopping.reset()


def test_a_stop_lets_the_handler_in_hand_finish():
    finished = False
    with interruptible(timeout_seconds=60):
        stopping.request_stop()  # as SIGTERM would, while the handler runs
        finished = True
    assert finished
    assert stopping.stopping()  # and no other job starts
    with pytest.raises(JobInterrupted), interruptible(timeout_seconds=60):
        pytest.fail("a handler started after the stop")


def _run(handler: Callable[[], None], *, timeout_seconds: float = 60) -> None:
    """Run ``handler`` as the worker runs one."""
    with interruptible(timeout_seconds=timeout_seconds):
        handler()


def _stopped_twice() -> None:
    stopping.request_stop()
    stopping.request_stop()
    pytest.fail("not interrupted")


def _stopped_then_slow() -> None:
    stopping.request_stop()
    time.sleep(30)  # interrupted by an alarm long before this ends


def _stopped_then_continues() -> None:
    stopping.request_stop()
    pytest.fail("not interrupted")


def test_a_second_signal_interrupts_at_once():
    with pytest.raises(JobInterrupted):
        _run(_stopped_twice)


def test_past_the_grace_the_handler_is_interrupted_not_failed():
    stopping.configure(grace_seconds=0.2)
    with pytest.raises(JobInterrupted):
        _run(_stopped_then_slow)


def test_the_time_limit_still_wins_when_it_ends_first():
    # Grace 30 s, but the handler's own limit ends sooner: a failed attempt, as without a stop.
    with pytest.raises(JobTimedOut):
        _run(_stopped_then_slow, timeout_seconds=0.2)


def test_without_a_grace_a_stop_interrupts_at_once():
    stopping.configure(grace_seconds=0)
    with pytest.raises(JobInterrupted):
        _run(_stopped_then_continues)

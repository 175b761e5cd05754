"""Stopping the worker within seconds: the job in hand is released, not waited for.

django-q2 stops a cluster (SIGTERM/SIGINT to ``motcua run-jobs``) by letting each worker finish its
current task *and every task already fetched into the cluster's local queue* — its pusher only exits
once it has handed over the delivery it holds — and a handler may run for up to
``Q_CLUSTER["timeout"]`` (minutes: a mail server or DVCQG that does not answer). So a stop could take
minutes, and ``make run`` stopped with Ctrl-C left the worker hanging.

``motcua run-jobs`` therefore calls ``arm()`` before the cluster forks: its signal handler raises a
shared stop flag before django-q2's own stop begins. In each worker process (django-q2's
``post_spawn``) a watcher thread looks at that flag five times a second and interrupts the main thread
with SIGUSR1; the handler in hand then gets ``JobInterrupted`` (its transaction rolls back) and every
delivery still queued locally is released without running.

The flag is a lock-free byte in shared memory, not a ``multiprocessing.Event``: django-q2 recycles a
worker after 500 deliveries, and a process that dies while waiting on an ``Event`` leaves its
condition counting a sleeper that never wakes — the next ``set()`` then blocked the stop for ever
(seen after a few hundred jobs). ``motcua.jobs.delivery`` makes a released job pending again with a new
delivery, so another worker (or the next start) runs it — once, as every job is idempotent.
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from django_q.signals import post_spawn


class JobInterrupted(BaseException):
    """Raised inside a handler when its worker is stopping.

    A ``BaseException`` (like django-q2's own ``TimeoutException``) so that a handler's
    ``except Exception`` does not swallow it.
    """


# How often a worker's watcher looks at the stop flag: a stop waits at most this long to begin.
WATCH_INTERVAL_SECONDS = 0.2


class StopFlag:
    """The cluster's stop request, shared by every process forked after ``arm()`` (module docstring:
    why a plain shared byte and not an ``Event``)."""

    def __init__(self, context: Any) -> None:
        self._raised = context.RawValue("b", 0)

    def set(self) -> None:
        self._raised.value = 1

    def is_set(self) -> bool:
        return bool(self._raised.value)


# Set by `arm()` in the run-jobs process, inherited by the cluster's forked processes.
_stop_flag: StopFlag | None = None
# This worker process's state; only its main thread changes them (the signal handler runs there).
_stopping = False
_handler_running = False


def arm() -> StopFlag:
    """Prepare the graceful stop; call in the worker command before the cluster starts (forks)."""
    global _stop_flag
    # django-q2 forks its processes where it can (cluster.get_mp_context): same context here.
    fork = "fork" in multiprocessing.get_all_start_methods()
    _stop_flag = StopFlag(multiprocessing.get_context("fork" if fork else None))
    post_spawn.connect(_watch_for_stop, dispatch_uid="motcua.jobs.stopping")
    return _stop_flag


def stopping() -> bool:
    """True once this worker has been told to stop: a delivery taken now is released, not run."""
    return _stopping


@contextmanager
def interruptible() -> Iterator[None]:
    """Run the handler in this block; a stop request raises ``JobInterrupted`` inside it."""
    global _handler_running
    _handler_running = True
    try:
        if _stopping:  # asked before the handler began: do not start it
            raise JobInterrupted
        yield
    finally:
        _handler_running = False


def _interrupt(signum: int, frame: FrameType | None) -> None:
    global _stopping
    _stopping = True
    if _handler_running:
        raise JobInterrupted


def _watch_for_stop(sender: Any, **kwargs: Any) -> None:
    """In a freshly spawned worker: interrupt its main thread once the cluster is asked to stop."""
    flag = _stop_flag
    if flag is None:
        return
    signal.signal(signal.SIGUSR1, _interrupt)
    main = threading.main_thread().ident
    assert main is not None

    def watch() -> None:
        while not flag.is_set():
            time.sleep(WATCH_INTERVAL_SECONDS)
        signal.pthread_kill(main, signal.SIGUSR1)

    threading.Thread(target=watch, name="motcua-jobs-stop", daemon=True).start()

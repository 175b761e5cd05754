"""Job handlers by name: ``@job_handler("notify.sms")``.

Handlers live in each app's ``job_handlers.py``; ``JobsConfig.ready`` imports those modules so the
registry is complete in web processes (which validate names at enqueue) and in workers alike.
Subscribers of dossier events (an app's ``subscribers.py``) register their handler here too, through
``dossiers.events.dossier_subscriber``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured

_NAME_RE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")
NAME_MAX_LENGTH = 64


@dataclass(frozen=True, slots=True)
class JobContext:
    """What a handler receives for one attempt of one job."""

    job_id: int
    name: str
    payload: Mapping[str, Any]
    # Pass this to any outside system that can de-duplicate (DVCQG, SMS gateway): an attempt that
    # succeeded remotely but crashed before recording completion here is then harmless to repeat.
    idempotency_key: str
    attempt: int


Handler = Callable[[JobContext], None]


@dataclass(frozen=True, slots=True)
class HandlerSpec:
    """A registered handler and how the runner must call it."""

    name: str
    func: Handler
    atomic: bool
    max_attempts: int | None


class UnknownJobHandler(LookupError):
    """No handler is registered under that name."""


_registry: dict[str, HandlerSpec] = {}


def job_handler(
    name: str, *, atomic: bool = True, max_attempts: int | None = None
) -> Callable[[Handler], Handler]:
    """Register ``func`` as the handler of jobs called ``name``.

    ``atomic=True`` (default): the handler runs in one transaction with the job's completion record,
    so its database writes and "done" commit together — exactly once in effect. Put non-transactional
    side effects in ``transaction.on_commit`` so they happen only if that commit does.

    ``atomic=False``: for handlers that call the network (SMS, e-mail, DVCQG). Holding a transaction
    open across a slow call would block writers (on SQLite, every writer), so the handler runs in
    autocommit and completion is recorded after it returns. A crash in between repeats the call on
    the next attempt: such handlers must pass ``ctx.idempotency_key`` to the remote side.
    """
    if not _NAME_RE.fullmatch(name) or len(name) > NAME_MAX_LENGTH:
        raise ImproperlyConfigured(f"Invalid job handler name {name!r}: use dotted lower-case words")
    if max_attempts is not None and max_attempts < 1:
        raise ImproperlyConfigured(f"max_attempts of {name!r} must be at least 1")

    def decorator(func: Handler) -> Handler:
        existing = _registry.get(name)
        # Importing the same module twice (e.g. through two import paths) re-registers the same
        # function; a *different* function under the same name is a bug that would silently win.
        if existing is not None and _qualified(existing.func) != _qualified(func):
            raise ImproperlyConfigured(
                f"Job handler {name!r} is already registered by {_qualified(existing.func)}"
            )
        _registry[name] = HandlerSpec(name=name, func=func, atomic=atomic, max_attempts=max_attempts)
        return func

    return decorator


def get_handler(name: str) -> HandlerSpec:
    """Return the handler registered under ``name`` or raise ``UnknownJobHandler``."""
    try:
        return _registry[name]
    except KeyError:
        raise UnknownJobHandler(f"No job handler is registered as {name!r}") from None


def registered_names() -> list[str]:
    """Names of all registered handlers, sorted (for the worker's start-up log)."""
    return sorted(_registry)


def _qualified(func: Handler) -> str:
    return f"{func.__module__}.{func.__qualname__}"

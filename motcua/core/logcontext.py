"""Log context: the request id that follows a request into its jobs, and the JSON log lines that carry it.

* ``RequestIdMiddleware`` (first in ``MIDDLEWARE``) takes the ``X-Request-ID`` the reverse proxy sent
  (nginx ``$request_id``) when it looks like an id — letters, digits, ``.``, ``_``, ``-``, ``:``, at most
  64 — or makes one (32 hex digits), binds it for the request and echoes it in the response header.
  An incoming id is not trusted for anything but correlation; the character check keeps a client from
  writing arbitrary text (new lines, quotes) into the logs through it.
* The binding is a ``ContextVar``, so each thread of a gthread worker (and each task) sees its own.
  ``jobs.services.job_enqueue`` stores ``request_id_get()`` on the job row; the worker binds it again
  (with the job's id and name) while the job runs, so the job's log lines carry the request's id.
* ``LogContextFilter`` (on the console handler, settings ``LOGGING``) copies the bound values onto every
  record; ``JsonLogFormatter`` writes one JSON object per line (``MOTCUA_LOG_FORMAT=json``).

Personal data (docs/operations.md, "Observability"): the JSON lines hold a fixed set of fields —
never the extras a library attaches. Django's ``django.request`` logger, for one, attaches the request
object, whose text holds the query string (a tracking lookup's ID or phone digits). Our own messages name
dossier codes and job ids, never the applicant's name, ID number, phone or a form body.
"""

from __future__ import annotations

import contextlib
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

# Bound per request / per job: {"request_id": …, "job_id": …, "job_name": …}. One variable holding an
# immutable dict rather than one per field: binding and restoring is one token.
_context: ContextVar[dict[str, Any]] = ContextVar("motcua_log_context", default={})  # noqa: B039 — never mutated

# The fields a JSON line may carry; anything else a record holds is dropped (see the module docstring).
JSON_FIELDS = (
    "timestamp",
    "level",
    "logger",
    "message",
    "request_id",
    "job_id",
    "job_name",
    "status_code",
    "exc_info",
    "stack_info",
)
CONTEXT_FIELDS = ("request_id", "job_id", "job_name")


def request_id_new() -> str:
    return uuid.uuid4().hex


def request_id_clean(raw: str | None) -> str | None:
    """``raw`` if it is a sane id (see the module docstring), else ``None``."""
    if raw and _VALID_REQUEST_ID.fullmatch(raw):
        return raw
    return None


def request_id_get() -> str:
    """The request id bound now (a request, or a job started by one); ``""`` outside of both."""
    return str(_context.get().get("request_id") or "")


def log_context_get() -> dict[str, Any]:
    return dict(_context.get())


@contextlib.contextmanager
def log_context_bind(**values: Any) -> Iterator[None]:
    """Bind ``values`` (request_id, job_id, job_name) for the log lines written inside the block."""
    token = _context.set({**_context.get(), **values})
    try:
        yield
    finally:
        _context.reset(token)


class LogContextFilter(logging.Filter):
    """Puts the bound request id / job id / job name on every record (``-`` when unbound, for text)."""

    def filter(self, record: logging.LogRecord) -> bool:
        bound = _context.get()
        for field in CONTEXT_FIELDS:
            if not hasattr(record, field):
                setattr(record, field, bound.get(field))
        if record.request_id is None:  # type: ignore[attr-defined]
            # Django logs a 4xx/5xx response (``django.request``) after the middleware has returned, out
            # of the binding; the record carries the request, which carries its id.
            record.request_id = getattr(getattr(record, "request", None), "request_id", None)
        return True


class TextLogFormatter(logging.Formatter):
    """Development format: time, level, logger, ``[request id]`` when there is one, the message."""

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        record.request_tag = f" [{request_id}]" if request_id else ""
        return super().format(record)


class JsonLogFormatter(JsonFormatter):
    """One JSON object per line with the fields of ``JSON_FIELDS`` only (python-json-logger)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", "%(levelname)s %(name)s %(message)s")
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", True)
        super().__init__(*args, **kwargs)

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        super().add_fields(log_data, record, message_dict)
        for key in list(log_data):
            if key not in JSON_FIELDS or log_data[key] is None:
                del log_data[key]


class RequestIdMiddleware:
    """Binds the request id for the request's log lines and jobs; echoes it as ``X-Request-ID``.

    No database query, no cache call: a dict lookup, a regex and a ``ContextVar`` set.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_clean(request.headers.get(REQUEST_ID_HEADER)) or request_id_new()
        request.request_id = request_id  # type: ignore[attr-defined]
        with log_context_bind(request_id=request_id):
            response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response

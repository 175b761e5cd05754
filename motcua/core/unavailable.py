"""A database or file store that is down answers 503 in Vietnamese, not a 500 trace — dịch vụ tạm gián đoạn.

Django turns every uncaught exception into the ``handler500`` view (``motcua.urls``), whether a view,
a middleware or the API (django-ninja re-raises what it has no handler for when ``DEBUG`` is off)
raised it. ``server_error`` looks at the exception being handled:

* the database is unreachable or its connection broke (``OperationalError``, ``InterfaceError``:
  PostgreSQL restarted, failed over, refused connections) → 503 ``database_unavailable``;
* the file store could not write (disk full, read-only, I/O error, quota; the S3 store unreachable or
  refusing) → 503 ``storage_unavailable``;
* anything else → the usual 500 page.

A 503 carries ``Retry-After``. The transaction of the request rolled back before this runs (atomic
blocks undo on the way out; files stored inside a receipt are removed by
``dossiers.services.uploads_removed_on_failure``), so the client may retry the same request — with
the same ``Idempotency-Key`` for a submission. Persistent connections broken by a restart are dropped
at the request's end (Django closes an unusable connection) and checked before reuse
(``CONN_HEALTH_CHECKS``), so the service resumes on its own once the database is back.
The drills of ``bench/drills/fault_drills.py`` exercise both (docs/operations.md, "Fault drills").
"""

from __future__ import annotations

import errno
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults

from motcua.core.api_errors import error_body
from motcua.core.middleware import is_api

RETRY_AFTER_SECONDS = 10

# What a full, read-only or failing disk raises while a file is written.
STORAGE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO, errno.EFBIG})


def database_unavailable_detail() -> str:
    return _(
        "Hệ thống tạm thời không kết nối được cơ sở dữ liệu; yêu cầu chưa được thực hiện và không có "
        "dữ liệu nào bị thay đổi. Vui lòng thử lại sau ít phút."
    )


def storage_unavailable_detail() -> str:
    return _(
        "Hệ thống tạm thời không lưu được tệp đính kèm (kho lưu trữ tệp gặp sự cố); yêu cầu chưa được "
        "thực hiện và không có dữ liệu nào bị thay đổi. Vui lòng thử lại sau ít phút."
    )


def _storage_failure(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno in STORAGE_ERRNOS:
        return True
    try:  # the S3 store's client errors (django-storages over boto3), when that store is installed
        from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - boto3 is a dependency
        return False
    return isinstance(exc, BotoCoreError | ClientError)


def unavailable_kind(exc: BaseException | None) -> str | None:
    """``database_unavailable``, ``storage_unavailable`` or None, for ``exc`` or one it was raised from."""
    seen = 0
    while exc is not None and seen < 5:  # a storage or driver error re-raised by another layer
        if isinstance(exc, OperationalError | InterfaceError):
            return "database_unavailable"
        if _storage_failure(exc):
            return "storage_unavailable"
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


def unavailable_response(request: HttpRequest, kind: str) -> HttpResponse:
    detail = database_unavailable_detail() if kind == "database_unavailable" else storage_unavailable_detail()
    response: HttpResponse
    if is_api(request):
        response = JsonResponse(error_body(503, detail, code=kind), status=503)
    else:
        # Standalone template, no request context: the context processors may need the database.
        body = loader.get_template("503.html").render({"message": detail})
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest, template_name: str = defaults.ERROR_500_TEMPLATE_NAME) -> HttpResponse:
    """``handler500``: 503 when the database or the file store is down (module docstring), else 500."""
    kind = unavailable_kind(sys.exc_info()[1])
    if kind is not None:
        return unavailable_response(request, kind)
    return defaults.server_error(request, template_name)

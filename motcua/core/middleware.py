"""Edge guards: requests refused before any view (or later middleware) reads them.

``RequestGuardMiddleware`` sits early in ``MIDDLEWARE`` (right after ``SecurityMiddleware``, so its
answers still carry the security headers) and refuses, on every route:

* **Control characters** (C0, U+0000–U+001F) in the path or the query string → 400. They are never
  legitimate there, and PostgreSQL refuses NUL in text, so one reaching a query was a 500.
* In a **JSON body** sent to the API, a string (or key) holding a C0 control other than tab, CR and LF
  → 400 naming the fields, before Ninja hands the value to the engine. Django forms refuse NUL
  themselves (``CharField``'s ``ProhibitNullCharactersValidator``, message in ``locale/vi``), the
  other controls by ``core.forms.ControlCharactersValidator`` (run by every form text field).
* A **body over the limits** (``DATA_UPLOAD_MAX_MEMORY_SIZE``, ``DATA_UPLOAD_MAX_NUMBER_FIELDS``,
  ``DATA_UPLOAD_MAX_NUMBER_FILES``, for a multipart body ``MOTCUA_UPLOAD_MAX_REQUEST_BYTES`` in all and
  ``MOTCUA_UPLOAD_MAX_BYTES`` per file, settings read from the environment) → 413. Django raises
  ``RequestDataTooBig`` lazily, when the body is first read; read inside a middleware (the CSRF check
  reads ``request.POST``) it bypasses every view-level handler and came out as a 400/500 traceback.
  So: a declared ``Content-Length`` over the limit is refused before anything reads the body, the
  form body of a CSRF-checked view is parsed here before the CSRF check, and a view that reads it
  itself has its exception turned into the same 413. A file over its limit inside an accepted body
  is stopped as it arrives (``core.uploads.UploadLimitHandler``), so no over-large body is read whole.

``ApiErrorShapeMiddleware`` is the net under the API: any 4xx under ``/api/`` that is not JSON already
— ninja's 405 ("Method not allowed", returned by its path view without raising, so no exception
handler of the API sees it), Django's 404 page (debug or not) for a path no route matches, the CSRF
403 page — leaves in ``ErrorOut`` with a Vietnamese ``detail``; a 405 keeps its ``Allow`` header.
Unknown paths normally reach ``motcua.api.api_not_found`` first, which names the path.

API paths (``/api/``) answer in the API's error shape (``core.api_errors.ErrorOut``); pages answer a
Vietnamese error page (``templates/400.html``, ``templates/413.html``).

Written here rather than taken from a library: no maintained Django package refuses control
characters in URLs (Django validates form fields only; the WSGI servers pass percent-encoded NUL
through), and the 413 needs this project's error shape, so a few lines beat a dependency.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from urllib.parse import parse_qsl, unquote_to_bytes

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from motcua.core.api_errors import error_body, method_not_allowed_detail, status_detail
from motcua.core.ratelimit import client_ident, client_ip, edge_limits, rate_limit_hit
from motcua.core.uploads import UploadTooLarge, size_text

API_PREFIX = "/api/"
TOO_LARGE_ERRORS = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)

CONTROL_IN_URL = "Địa chỉ (URL) chứa ký tự điều khiển không hợp lệ."
CONTROL_IN_FIELD = "Không được chứa ký tự điều khiển (ví dụ ký tự NUL)."
CONTROL_IN_BODY = "Nội dung gửi lên chứa ký tự điều khiển không hợp lệ."

# Every C0 control: none belongs in a path or a query string.
_URL_CONTROLS = re.compile(r"[\x00-\x1f]")
# In text fields tab, LF and CR are legitimate (multi-line notes); the other C0 controls are not.
_TEXT_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# A JSON text can hold a control character only as an escape (raw ones make it invalid JSON):
# cheap test on the raw bytes before decoding it to find the fields.
_JSON_CONTROL_ESCAPE = re.compile(rb"\\(?:u00[01][0-9a-fA-F]|[bf])")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _size(limit: int) -> str:
    """2,5 MB / 500 KB / 900 byte, the Vietnamese way (decimal comma)."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if limit >= scale:
            return f"{limit / scale:.1f}".rstrip("0").rstrip(".").replace(".", ",") + f" {unit}"
    return f"{limit} byte"


def too_large_detail() -> str:
    """The Vietnamese sentence of a 413 for a body without files, naming the limit in force."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None:
        return "Nội dung gửi lên quá lớn hoặc có quá nhiều trường."
    return (
        f"Nội dung gửi lên quá lớn (tối đa {_size(limit)}, không kể tệp đính kèm) hoặc có quá nhiều trường."
    )


def upload_too_large_detail() -> str:
    """The Vietnamese sentence of a 413 for a multipart body (files) over its total limit."""
    return (
        f"Nội dung gửi lên quá lớn: tổng các tệp đính kèm tối đa "
        f"{size_text(settings.MOTCUA_UPLOAD_MAX_REQUEST_BYTES)}, mỗi tệp tối đa "
        f"{size_text(settings.MOTCUA_UPLOAD_MAX_BYTES)}."
    )


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def too_large_response(
    request: HttpRequest, exception: Exception | None = None, *, detail: str | None = None
) -> HttpResponse:
    """413 for a body over the limits: ``ErrorOut`` on the API, the Vietnamese page elsewhere."""
    if detail is None:
        # A file stopped while it arrived is named; otherwise a field or the field count was too much.
        detail = exception.detail if isinstance(exception, UploadTooLarge) else too_large_detail()
    if is_api(request):
        return JsonResponse(error_body(413, detail), status=413)
    return render(request, "413.html", {"message": detail}, status=413)


def bad_request_response(
    request: HttpRequest, detail: str, errors: dict[str, str] | None = None
) -> HttpResponse:
    """400 for a request refused at the edge: ``ErrorOut`` on the API, the Vietnamese page elsewhere."""
    if is_api(request):
        return JsonResponse(error_body(400, detail, errors=errors), status=400)
    return render(request, "400.html", {"message": detail}, status=400)


def _query_fields_with_controls(query_string: str) -> dict[str, str] | None:
    """None when the query string is clean; else the offending parameter names (may be empty)."""
    if not _URL_CONTROLS.search(unquote_to_bytes(query_string).decode("latin-1")):
        return None
    errors: dict[str, str] = {}
    for key, value in parse_qsl(query_string, keep_blank_values=True, encoding="latin-1"):
        if _URL_CONTROLS.search(key) or _URL_CONTROLS.search(value):
            name = _URL_CONTROLS.sub("", key) or "query"
            errors.setdefault(name, CONTROL_IN_FIELD)
    return errors


def _json_strings(value: object, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    """(path, string) for every key and string value of a decoded JSON document."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield (*path, str(key)), str(key)
            yield from _json_strings(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_strings(item, (*path, str(index)))


def _json_fields_with_controls(body: bytes) -> dict[str, str]:
    if not _JSON_CONTROL_ESCAPE.search(body):
        return {}
    try:
        document = json.loads(body)
    except ValueError:
        return {}  # not JSON: the API answers its own "invalid JSON" error
    errors: dict[str, str] = {}
    for path, text in _json_strings(document):
        if _TEXT_CONTROLS.search(text):
            errors.setdefault(".".join(_URL_CONTROLS.sub("", p) for p in path) or "body", CONTROL_IN_FIELD)
    return errors


def _content_type(request: HttpRequest) -> str:
    return request.META.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class RequestGuardMiddleware:
    """Control characters → 400, bodies over the limits → 413, on every route (module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _URL_CONTROLS.search(request.path_info):
            return bad_request_response(request, CONTROL_IN_URL)
        query_errors = _query_fields_with_controls(request.META.get("QUERY_STRING", ""))
        if query_errors is not None:
            return bad_request_response(request, CONTROL_IN_URL, query_errors)
        content_type = _content_type(request)
        # Judged from the declared length, before a byte is read (Django never reads past it). A
        # multipart body carries files, so it has its own, larger limit; Django limits its other parts.
        if content_type == "multipart/form-data":
            limit, detail = settings.MOTCUA_UPLOAD_MAX_REQUEST_BYTES, upload_too_large_detail
        else:
            limit, detail = settings.DATA_UPLOAD_MAX_MEMORY_SIZE, too_large_detail
        if limit is not None and _declared_length(request) > limit:
            return too_large_response(request, detail=detail())
        if is_api(request) and content_type == "application/json" and _declared_length(request):
            try:
                body = request.body
            except TOO_LARGE_ERRORS as exc:  # no Content-Length (chunked) and over the limit
                return too_large_response(request, exc)
            if errors := _json_fields_with_controls(body):
                return bad_request_response(request, CONTROL_IN_BODY, errors)
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[object, ...],
        view_kwargs: dict[str, object],
    ) -> HttpResponse | None:
        # The CSRF check (next in MIDDLEWARE) reads request.POST of a form; parse it here first so a
        # body over the limits is a 413 rather than an exception no view can handle. Views exempt from
        # CSRF read their body themselves (process_exception below, or Ninja's own handler).
        if (
            request.method not in ("GET", "HEAD", "OPTIONS", "TRACE")
            and not getattr(view_func, "csrf_exempt", False)
            and _content_type(request) in _FORM_TYPES
        ):
            try:
                request.POST  # noqa: B018 - parsed for its exceptions
            except TOO_LARGE_ERRORS as exc:
                return too_large_response(request, exc)
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, TOO_LARGE_ERRORS):
            return too_large_response(request, exception)
        return None


class ApiErrorShapeMiddleware:
    """Every 4xx under ``/api/`` in the API's error shape, whoever produced it (module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            not 400 <= response.status_code < 500
            or not is_api(request)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        status = response.status_code
        if status == 405:
            allowed = [m.strip() for m in response.get("Allow", "").split(",") if m.strip()]
            detail = method_not_allowed_detail(request.method or "", allowed)
        else:
            detail = status_detail(status)
        shaped = JsonResponse(error_body(status, detail), status=status)
        # Keep what the other layers added (Allow, Vary, security and cache headers, cookies).
        for header, value in response.items():
            if header.lower() not in ("content-type", "content-length"):
                shaped[header] = value
        if status == 405:
            shaped["Allow"] = ", ".join(sorted(allowed))
        shaped.cookies = response.cookies
        if response.has_header("Content-Length"):
            shaped["Content-Length"] = str(len(shaped.content))
        return shaped


class HeadAsGetMiddleware:
    """``HEAD`` answered as ``GET`` on every route — load balancers, uptime checks (``HEAD /healthz``)
    and link checkers use it, and RFC 9110 §9.3.2 asks for it wherever ``GET`` works.

    The view sees a ``GET``; the WSGI server (gunicorn, runserver) sends the headers without the body,
    as it does for every ``HEAD``. One middleware rather than ``require_safe`` on each view because the
    API's routes (django-ninja) register ``GET`` only and answer ``HEAD`` with 405.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "HEAD":
            return self.get_response(request)
        request.method = "GET"
        try:
            return self.get_response(request)
        finally:
            request.method = "HEAD"


FILE_ALTERED = (
    "Tệp lưu trữ không còn khớp với mã băm (SHA-256) đã ghi nhận khi lưu nên không được tải về. "
    "Sự cố đã được ghi lại; vui lòng báo cho đơn vị giải quyết hồ sơ."
)


class StoredFileAlteredMiddleware:
    """A download whose stored bytes no longer match their recorded SHA-256 (``core.storage``): 409,
    ``ErrorOut`` (code ``file_altered``) on the API, the Vietnamese page elsewhere — never the bytes,
    never a 500. The storage helper has already logged the error."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from motcua.core.storage import StoredFileAltered

        if not isinstance(exception, StoredFileAltered):
            return None
        return file_altered_response(request)


def file_altered_response(request: HttpRequest) -> HttpResponse:
    if is_api(request):
        return JsonResponse(error_body(409, FILE_ALTERED, code="file_altered"), status=409)
    return render(request, "409_file_altered.html", {"message": FILE_ALTERED}, status=409)


_SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
RATE_LIMITED = "Quá nhiều yêu cầu trong thời gian ngắn. Vui lòng thử lại sau {seconds} giây."


def rate_limited_response(request: HttpRequest, wait: int) -> HttpResponse:
    """429 with ``Retry-After``: ``ErrorOut`` on the API, the Vietnamese page elsewhere."""
    detail = RATE_LIMITED.format(seconds=wait)
    if is_api(request):
        response: HttpResponse = JsonResponse(error_body(429, detail), status=429)
    else:
        response = render(request, "429.html", {"message": detail}, status=429)
    response["Retry-After"] = str(wait)
    return response


class RateLimitMiddleware:
    """The edge rate limits (``core.ratelimit.EDGE_LIMITS``): the API, and file uploads anywhere.

    After ``AuthenticationMiddleware`` (the per-client limit counts the signed-in account) and before
    the view, so a refused request reads no body and writes nothing. Counted per IP and per client in
    the shared cache; the first limit reached answers 429 with the seconds to wait.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        scopes = []
        if is_api(request):
            scopes.append("API")
        if request.method not in _SAFE_METHODS and _content_type(request) == "multipart/form-data":
            scopes.append("UPLOADS")
        if scopes:
            limits = edge_limits()
            ip, client = client_ip(request), client_ident(request)
            for scope in scopes:
                for who, ident in (("IP", ip), ("CLIENT", client)):
                    limit, seconds = limits[f"{scope}_PER_{who}"]
                    if ident is None or limit <= 0:
                        continue
                    scope_name = f"{scope}-{who}".lower()
                    wait = rate_limit_hit(scope=scope_name, ident=ident, limit=limit, seconds=seconds)
                    if wait:
                        return rate_limited_response(request, wait)
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """``Permissions-Policy`` on every response (``MOTCUA_PERMISSIONS_POLICY``): Django sets the other
    security headers (SecurityMiddleware, XFrameOptionsMiddleware) and django-csp the CSP, none this one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "MOTCUA_PERMISSIONS_POLICY", "")
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = policy
        return response

"""REST API v1 (django-ninja): one NinjaAPI, one router per domain app."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema

from motcua.assistant.api import router as assistant_router
from motcua.catalog.api import router as catalog_router
from motcua.core.api_errors import error_body, validation_detail, validation_messages
from motcua.core.middleware import FILE_ALTERED, too_large_detail
from motcua.core.storage import StoredFileAltered
from motcua.core.uploads import UploadTooLarge
from motcua.dossiers.api import router as dossiers_router
from motcua.identity.api import router as id_card_qr_router
from motcua.org.api import router as org_router
from motcua.portal.api import router as public_router
from motcua.signing.api import router as signing_router
from motcua.worktime.api import router as worktime_router

_ERROR_REF = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}

# Refusals every operation can answer before its view runs, so they are listed on each one (a client
# generated from the document, or schemathesis in tests/api, then expects them): a malformed request
# (control characters in the address or a parameter, ``core.middleware``; an unparsable parameter),
# the shared rate limits (``core.ratelimit``), a body over the size limit, and — for the operations
# that need a login — missing or invalid credentials.
COMMON_REFUSALS: dict[int, str] = {
    400: "Yêu cầu không hợp lệ (tham số sai, ký tự điều khiển trong địa chỉ hoặc tham số)",
    429: "Quá nhiều yêu cầu (giới hạn theo địa chỉ IP và theo mã truy cập)",
    # core.unavailable: the database or the file storage is briefly out of reach (Retry-After).
    503: "Hệ thống tạm thời gián đoạn (cơ sở dữ liệu hoặc kho lưu trữ tệp), vui lòng thử lại sau",
}
REQUIRED_MARK = "(bắt buộc)"
BODY_REFUSALS: dict[int, str] = {413: "Nội dung gửi lên quá lớn"}
SECURED_REFUSALS: dict[int, str] = {401: "Chưa xác thực: thiếu hoặc sai mã truy cập API, hoặc chưa đăng nhập"}


class MotcuaApi(NinjaAPI):
    """The API, whose OpenAPI document also lists the refusals common to all operations."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for item in schema["paths"].values():
            for operation in item.values():
                refusals = dict(COMMON_REFUSALS)
                if "requestBody" in operation:
                    refusals.update(BODY_REFUSALS)
                if operation.get("security"):
                    refusals.update(SECURED_REFUSALS)
                # ninja marks a parameter required only when it has no default. A few are declared
                # with None so that their absence gets the operation's own Vietnamese message (not the
                # generic validation one); their description says "(bắt buộc)", and so does the schema.
                for parameter in operation.get("parameters", []):
                    if REQUIRED_MARK in parameter.get("description", ""):
                        parameter["required"] = True
                responses = operation.setdefault("responses", {})  # keyed by int, as ninja writes them
                for status, description in refusals.items():
                    responses.setdefault(status, {"description": description, "content": _ERROR_REF})
        return schema


api = MotcuaApi(
    title="motcua API",
    version="1",
    description="Hệ thống thông tin giải quyết thủ tục hành chính tỉnh Quảng Ninh — API v1",
    urls_namespace="api-v1",
)


def _error(request: HttpRequest, status: int, detail: str, **extra: object) -> HttpResponse:
    return api.create_response(request, error_body(status, detail, **extra), status=status)  # type: ignore[arg-type]


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Bad input → 400 (not Ninja's 422): each bad field with a Vietnamese message (``core.api_errors``)."""
    errors = validation_messages(exc.errors)
    return _error(request, 400, validation_detail(errors), code="invalid", errors=errors)


UNAUTHENTICATED = (
    "Chưa xác thực: gửi mã truy cập API (Authorization: Bearer <mã>) hoặc đăng nhập trước khi gọi API này."
)


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    """No valid credentials → 401 in Vietnamese (routers pick their auth: ``identity.auth.api_auth``)."""
    response = _error(request, 401, UNAUTHENTICATED, code="unauthenticated")
    response["WWW-Authenticate"] = 'Bearer realm="motcua"'
    return response


# The framework's own refusals, in Vietnamese (its texts are English).
_HTTP_ERRORS: dict[int, tuple[str, dict[str, str]]] = {
    400: ("Nội dung gửi lên không phải JSON hợp lệ.", {"body": "Nội dung gửi lên không phải JSON hợp lệ."}),
    404: ("Không tìm thấy.", {}),
    429: ("Quá nhiều yêu cầu; vui lòng thử lại sau ít phút.", {}),
}


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """``HttpError`` in the common error shape: the framework's English texts (malformed JSON body,
    throttling, …) translated; our own (``identity.auth``'s CSRF refusal) are Vietnamese already."""
    if exc.message.isascii():
        detail, errors = _HTTP_ERRORS.get(exc.status_code, (exc.message, {}))
    else:
        detail, errors = exc.message, {}
    return _error(request, exc.status_code, detail, errors=errors)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, _HTTP_ERRORS[404][0])


@api.exception_handler(RequestDataTooBig)
def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    """A body over the limit read inside Ninja (``core.middleware`` refuses most of them earlier)."""
    detail = exc.detail if isinstance(exc, UploadTooLarge) else too_large_detail()
    return _error(request, 413, detail)


@api.exception_handler(StoredFileAltered)
def file_altered(request: HttpRequest, exc: StoredFileAltered) -> HttpResponse:
    """A stored file whose bytes no longer match their SHA-256 (``core.storage``): refused, never sent."""
    return _error(request, 409, FILE_ALTERED, code="file_altered")


api.add_router("/procedures", catalog_router)
api.add_router("/units", org_router)
api.add_router("/calendar", worktime_router)
api.add_router("/dossiers", dossiers_router)
api.add_router("/public", public_router)
api.add_router("/id-card-qr", id_card_qr_router)
api.add_router("/assistant", assistant_router)
api.add_router("", signing_router)


DOCS_PATH = "/api/v1/docs"


@csrf_exempt  # a POST to an unknown address is a 404, not a CSRF refusal
def api_not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Any path under ``/api/`` that no route matches (``/api/v1/nope``, ``/api/v2/…``): a 404 in the
    API's error shape naming the path and where the addresses are listed, in DEBUG too (routed after
    the API in ``motcua.urls``, so Django's debug page never answers an API client)."""
    path = request.path
    detail = f"Không có địa chỉ API «{path}». Danh sách các địa chỉ của API v1: {DOCS_PATH}."
    if path.endswith("/") and path != "/api/":
        try:
            match = resolve(path.rstrip("/"))
        except Resolver404:
            match = None
        if match is not None and match.func is not api_not_found:
            detail = f"Không có địa chỉ API «{path}»: các địa chỉ của API không kết thúc bằng dấu «/»."
    return JsonResponse(error_body(404, detail), status=404)

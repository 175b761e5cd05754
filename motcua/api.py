"""REST API v1 (django-ninja): one NinjaAPI, one router per domain app."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from motcua.catalog.api import router as catalog_router
from motcua.dossiers.api import router as dossiers_router
from motcua.org.api import router as org_router
from motcua.portal.api import router as public_router
from motcua.worktime.api import router as worktime_router

api = NinjaAPI(
    title="motcua API",
    version="1",
    description="Hệ thống thông tin giải quyết thủ tục hành chính tỉnh Quảng Ninh — API v1",
    urls_namespace="api-v1",
)


def _location(loc: list[str | int]) -> str:
    parts = [str(p) for p in loc if p not in ("query", "body", "path", "header")]
    return ".".join(parts) or "request"


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Bad input → 400 with a Vietnamese message naming each bad parameter (not Ninja's 422)."""
    fields = [_location(err.get("loc", [])) for err in exc.errors]
    message = "Tham số không hợp lệ: " + ", ".join(dict.fromkeys(fields)) + "."
    return api.create_response(request, {"detail": message, "errors": exc.errors}, status=400)


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    """No valid credentials → 401 in Vietnamese (routers pick their auth: ``identity.auth.api_auth``)."""
    response = api.create_response(
        request,
        {
            "detail": "Chưa xác thực: gửi mã truy cập API (Authorization: Bearer <mã>) "
            "hoặc đăng nhập trước khi gọi API này."
        },
        status=401,
    )
    response["WWW-Authenticate"] = 'Bearer realm="motcua"'
    return response


api.add_router("/procedures", catalog_router)
api.add_router("/units", org_router)
api.add_router("/calendar", worktime_router)
api.add_router("/dossiers", dossiers_router)
api.add_router("/public", public_router)

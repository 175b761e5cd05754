"""Authentication of the REST API: service-account tokens (Bearer) and the browser session.

``api_auth`` is the list routers use: Ninja tries the Bearer token first, then the session cookie.

* ``ApiTokenAuth`` — ``Authorization: Bearer mct_…`` (``motcua create-token``); no cookie, so no CSRF.
* ``SessionCsrfAuth`` — the logged-in browser user (pages calling the API with htmx/fetch). A cookie is
  sent by the browser on any cross-site request, so unsafe methods must carry Django's CSRF token
  (``X-CSRFToken`` header); safe methods need none.

Both return the user, which Ninja puts in ``request.auth`` (the token auth also sets ``request.user``
and ``request.api_token``).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie

from motcua.accounts.models import Account
from motcua.identity.services import api_token_authenticate

CSRF_FAILED = (
    "Yêu cầu bị từ chối: thiếu hoặc sai mã chống giả mạo (CSRF). "
    "Gửi kèm tiêu đề X-CSRFToken hoặc dùng mã truy cập API (Authorization: Bearer)."
)


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer <token>`` of a service account (mã truy cập API)."""

    def authenticate(self, request: HttpRequest, token: str) -> Account | None:
        row = api_token_authenticate(raw=token)
        if row is None:
            return None
        request.user = row.user
        request.api_token = row  # type: ignore[attr-defined]
        return row.user


class SessionCsrfAuth(APIKeyCookie):
    """The Django session of a logged-in user; unsafe methods must pass Django's CSRF check."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=False)  # checked below, and only for an authenticated session

    def __call__(self, request: HttpRequest) -> Account | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
            middleware = CsrfViewMiddleware(lambda r: None)  # type: ignore[arg-type]
            request.csrf_processing_done = False  # type: ignore[attr-defined]
            middleware.process_request(request)
            if middleware.process_view(request, _csrf_view, (), {}) is not None:
                raise HttpError(403, CSRF_FAILED)
        return user

    def authenticate(
        self, request: HttpRequest, key: str | None
    ) -> Account | None:  # pragma: no cover - see __call__
        return None


def _csrf_view(request: HttpRequest) -> HttpResponse:  # pragma: no cover - never called
    return HttpResponse(status=204)


api_token_auth = ApiTokenAuth()
session_auth = SessionCsrfAuth()
api_auth = [api_token_auth, session_auth]

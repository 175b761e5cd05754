"""National-identity login pages — đăng nhập bằng tài khoản định danh điện tử (VNeID).

``/dang-nhap`` (the page with the button) → ``/dang-nhap/vneid`` (redirect to the provider) → the
provider's login and consent → ``/dang-nhap/vneid/callback`` (checked by ``portal.vneid``; the account
found or created and its counter dossiers linked by ``portal.services.applicant_sign_in``) → ``next``.
``POST /dang-xuat`` ends the session here and, when the provider offers it, there too (RP-initiated
logout with the ID token as hint).

Start and callback share one rate limit per client IP (``MOTCUA_PORTAL_LOGIN_RATE_LIMIT``). ``next``
is kept only when it is a path of this site.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from motcua.core.ratelimit import client_ip, rate_limit_hit
from motcua.portal.access import is_applicant_account
from motcua.portal.middleware import applicant_session_id_token, applicant_session_start
from motcua.portal.services import applicant_sign_in
from motcua.portal.vneid import ProviderError, authorize_redirect, callback_identity, end_session_url

logger = logging.getLogger("motcua.portal.login")

NEXT_SESSION_KEY = "portal_login_next"


def safe_next(request: HttpRequest, candidate: str | None) -> str:
    """``candidate`` when it is a path of this site (never another host, scheme or ``//host``), else ""."""
    candidate = (candidate or "").strip()
    if not candidate.startswith("/") or candidate.startswith("//") or "\\" in candidate:
        return ""
    if not url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return ""
    return candidate


def _page(
    request: HttpRequest, template: str, context: dict[str, object], *, status: int = 200
) -> HttpResponse:
    response = render(request, template, context, status=status)
    add_never_cache_headers(response)
    return response


def _error(request: HttpRequest, error: ProviderError) -> HttpResponse:
    response = _page(request, "portal/login_error.html", {"message": error.message}, status=error.status)
    if error.retry_after:
        response["Retry-After"] = str(error.retry_after)
    return response


def _rate_limited(request: HttpRequest) -> ProviderError | None:
    limit, seconds = settings.MOTCUA_PORTAL_LOGIN_RATE_LIMIT
    wait = rate_limit_hit(scope="portal-login", ident=client_ip(request), limit=limit, seconds=seconds)
    if not wait:
        return None
    return ProviderError(
        gettext(
            "Bạn đã thử đăng nhập quá nhiều lần trong thời gian ngắn. Vui lòng thử lại sau %(seconds)s giây."
        )
        % {"seconds": wait},
        status=429,
        code="rate_limited",
        retry_after=wait,
    )


@require_GET
def login_page(request: HttpRequest) -> HttpResponse:
    """Đăng nhập: the button to the national identity provider; ``?next=`` kept when safe."""
    next_url = safe_next(request, request.GET.get("next"))
    if is_applicant_account(request.user):
        return HttpResponseRedirect(next_url or reverse("catalog:home"))
    return _page(request, "portal/login.html", {"next": next_url})


@require_GET
def login_start(request: HttpRequest) -> HttpResponse:
    """To the provider's authorization endpoint (state, nonce and PKCE verifier in the session)."""
    if error := _rate_limited(request):
        return _error(request, error)
    request.session[NEXT_SESSION_KEY] = safe_next(request, request.GET.get("next"))
    redirect_uri = settings.MOTCUA_OIDC_REDIRECT_URI or request.build_absolute_uri(
        reverse("portal:login_callback")
    )
    try:
        return authorize_redirect(request, redirect_uri=redirect_uri)
    except ProviderError as exc:
        return _error(request, exc)


@require_GET
def login_callback(request: HttpRequest) -> HttpResponse:
    """The provider's answer: check it, sign the applicant in, go where they were going."""
    if error := _rate_limited(request):
        return _error(request, error)
    try:
        identity, id_token = callback_identity(request)
        account = applicant_sign_in(identity=identity)
    except ProviderError as exc:
        return _error(request, exc)
    next_url = safe_next(request, request.session.get(NEXT_SESSION_KEY))
    # login() renews the session key (no fixation) and keeps the data of an anonymous session.
    login(request, account, backend="django.contrib.auth.backends.ModelBackend")
    applicant_session_start(request, id_token=id_token)
    request.session.pop(NEXT_SESSION_KEY, None)
    logger.info("Applicant %s signed in through the identity provider", account.pk)
    return HttpResponseRedirect(next_url or reverse("catalog:home"))


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """Đăng xuất: the session here ends; then the provider's too, with the ID token as hint."""
    id_token = applicant_session_id_token(request)
    logout(request)
    home = settings.MOTCUA_OIDC_POST_LOGOUT_REDIRECT_URI or request.build_absolute_uri(
        reverse("catalog:home")
    )
    if id_token and (url := end_session_url(id_token=id_token, post_logout_redirect_uri=home)):
        return HttpResponseRedirect(url)
    return redirect("catalog:home")

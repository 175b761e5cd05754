"""Who may use the citizen pages — điều kiện truy cập trang cá nhân của công dân, tổ chức.

Every page of a signed-in applicant ("Hồ sơ của tôi", online submission, the data store, notifications)
is wrapped by ``applicant_required``: anonymous visitors go to the portal's national-identity login
(``MOTCUA_PORTAL_LOGIN_URL``, ``/dang-nhap``) and come back to the page they asked for; a signed-in
official or service account gets the Vietnamese 403 page, because these pages act in the name of the
applicant and an official acting for a citizen uses the counter (back office) instead.
``PermissionDenied`` raised inside a view (e.g. by a dossier service) becomes the same page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext, gettext_lazy

from motcua.accounts.models import Account, AccountKind, AccountOrAnonymous

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

View = Callable[..., HttpResponseBase]

NOT_APPLICANT_MESSAGE = gettext_lazy(
    "Trang này dành cho công dân và tổ chức đăng nhập bằng tài khoản định danh điện tử. Cán bộ tiếp nhận "
    "hồ sơ thay công dân tại trang nghiệp vụ (Cán bộ)."
)


def is_applicant_account(user: AccountOrAnonymous) -> bool:
    """A signed-in, active citizen or organisation account (those who submit and follow dossiers)."""
    return (
        isinstance(user, Account)
        and user.is_authenticated
        and user.is_active
        and user.kind in (AccountKind.CITIZEN, AccountKind.ORGANISATION)
    )


def forbidden(request: HttpRequest, message: StrOrPromise = "") -> HttpResponse:
    """The portal's 403 page (Vietnamese unless English was chosen)."""
    return render(
        request,
        "403.html",
        {"exception": message or gettext("Bạn không có quyền truy cập trang này.")},
        status=403,
    )


def applicant_required(view: View) -> View:
    """Login (national identity) + a citizen or organisation account; PermissionDenied → Vietnamese 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.MOTCUA_PORTAL_LOGIN_URL)
        if not is_applicant_account(user):
            return forbidden(request, NOT_APPLICANT_MESSAGE)
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return forbidden(request, str(exc) if str(exc) else "")

    return wrapper

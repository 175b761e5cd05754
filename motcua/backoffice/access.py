"""Who may use the back office — điều kiện truy cập trang nghiệp vụ cán bộ.

Every back-office view is wrapped by ``official_required``: anonymous users go to the officials'
login page; a logged-in user without an official profile holding an active role (a citizen, a bare
account) gets the Vietnamese 403 page. ``PermissionDenied`` raised inside a view (e.g. by a dossier
service) becomes the same page, so no English "403 Forbidden" ever reaches an official.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy

from motcua.accounts.models import AccountOrAnonymous
from motcua.org.selectors import official_has_any_role

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

View = Callable[..., HttpResponseBase]

NO_PROFILE_MESSAGE = gettext_lazy(
    "Tài khoản của bạn không phải tài khoản cán bộ hoặc chưa được phân quyền tại đơn vị nào. "
    "Vui lòng liên hệ quản trị đơn vị."
)


def is_official(user: AccountOrAnonymous) -> bool:
    """An active official profile with at least one active role in an active unit (or a superuser)."""
    if not (user.is_authenticated and user.is_active):
        return False
    # The grants are read once per user object and reused by the views' role checks.
    return official_has_any_role(user=user)


def forbidden(request: HttpRequest, message: StrOrPromise = "") -> HttpResponse:
    """The 403 page (Vietnamese unless English was chosen)."""
    return render(
        request,
        "backoffice/403.html",
        {"message": message or gettext("Bạn không có quyền truy cập trang này.")},
        status=403,
    )


def official_required(view: View) -> View:
    """Login (to the back-office login page) + an official profile; PermissionDenied → Vietnamese 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("backoffice:login"))
        if not is_official(user):
            return forbidden(request, NO_PROFILE_MESSAGE)
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return forbidden(request, str(exc) if str(exc) else "")

    return wrapper

"""Officials' sign-in pages — đăng nhập cán bộ: password, second factor, enrolment, security, unlock.

The password step never opens a session by itself when a second factor is due: it leaves a *pending*
login (``session``) that only the second-factor and enrolment pages accept; the session starts once
the code is right. So there is no half-signed-in state any other page could be reached with.
"""

from __future__ import annotations

from typing import Any

import django_otp
import segno
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.models import Account
from motcua.signin import selectors, services
from motcua.signin.forms import CodeForm, OfficialLoginForm, OfficialPasswordChangeForm
from motcua.signin.lockout import lockout_response
from motcua.signin.session import (
    EXPIRED_KEY,
    pending_failure,
    pending_get,
    pending_start,
    remember_set,
    remembered_device,
    session_complete,
    signs_in_with_password,
)

LOGIN = "backoffice:login"


def _required_for(user: Account) -> bool:
    return bool(settings.MOTCUA_OFFICIAL_2FA_REQUIRED) and signs_in_with_password(user)


class LoginView(auth_views.LoginView):
    """Step 1: login and password (``OfficialLoginForm``; django-axes refuses locked-out attempts)."""

    template_name = "signin/login.html"
    authentication_form = OfficialLoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return reverse("backoffice:queue")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if self.request.session.pop(EXPIRED_KEY, False):
            context["expired_message"] = _(
                "Phiên làm việc đã kết thúc do không hoạt động. Vui lòng đăng nhập lại."
            )
        return context

    def form_valid(self, form: OfficialLoginForm) -> HttpResponse:  # type: ignore[override]
        request = self.request
        user = form.get_user()
        next_url = self.get_success_url()
        device = selectors.second_factor_device(user=user)
        if device is None and not _required_for(user):
            session_complete(request, user=user, device=None)
            return redirect(next_url)
        if device is not None and remembered_device(request, user=user, device=device):
            session_complete(request, user=user, device=device)
            return redirect(next_url)
        pending_start(request, user=user, next_url=next_url)
        return redirect("signin:second_factor" if device is not None else "signin:enrol")


@never_cache
@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponseBase:
    """Step 2: a code from the authenticator app, or a recovery code."""
    pending = pending_get(request)
    if pending is None:
        return redirect(LOGIN)
    user, data = pending
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        credentials = {"username": user.get_username()}
        if not AxesProxyHandler.is_allowed(request, credentials):
            return lockout_response(request, None, credentials)
        device = services.second_factor_verify(user=user, code=form.cleaned_data["code"])
        if device is not None:
            session_complete(request, user=user, device=device)
            response = redirect(data["next"])
            if isinstance(device, TOTPDevice):
                if form.cleaned_data["remember"]:
                    remember_set(response, user=user, device=device)
            else:
                recovery = selectors.recovery_device(user=user)
                left = recovery.unused_count() if recovery is not None else 0
                messages.warning(
                    request,
                    _("Bạn vừa dùng một mã khôi phục; còn %(n)s mã. Hãy tạo bộ mã mới tại trang Bảo mật.")
                    % {"n": left},
                )
            return response
        # A wrong code counts as a failed sign-in of the account and the address (django-axes).
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            return lockout_response(request, None, credentials)
        if pending_failure(request):
            messages.error(request, _("Nhập sai mã quá nhiều lần. Vui lòng đăng nhập lại."))
            return redirect(LOGIN)
        form.add_error("code", services.WRONG_CODE)
    context = {"form": form, "has_keys": bool(selectors.security_keys(user=user))}
    return render(request, "signin/second_factor.html", context)


def _qr_svg(text: str) -> SafeString:
    # segno writes a complete <svg> of our own content (the otpauth URL is ours): safe to inline.
    return SafeString(segno.make(text, error="m").svg_inline(scale=4, dark="#000", light="#fff"))


def _key_groups(device: TOTPDevice) -> str:
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _codes_page(request: HttpRequest, codes: list[str], *, next_url: str) -> HttpResponse:
    response = render(request, "signin/recovery_codes.html", {"codes": codes, "next": next_url})
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponseBase:
    """Turn on the second factor: scan the QR (or type the key), confirm with a code; recovery codes."""
    pending = None if request.user.is_authenticated else pending_get(request)
    if request.user.is_authenticated:
        user: Account = request.user
        if not signs_in_with_password(user):
            raise PermissionDenied
    elif pending is not None:
        user = pending[0]
    else:
        return redirect(LOGIN)
    device = services.totp_enrolment_start(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.totp_enrolment_confirm(user=user, device=device, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc.message_dict.get("code", exc.messages))
        else:
            device.refresh_from_db()
            if pending is not None:
                session_complete(request, user=user, device=device)
                next_url = pending[1]["next"]
            else:
                # The session passed a factor the account now has.
                django_otp.login(request, device)
                next_url = reverse("signin:security")
            return _codes_page(request, codes, next_url=next_url)
    context = {
        "form": form,
        "qr": _qr_svg(device.config_url),
        "key": _key_groups(device),
        "pending": pending is not None,
        "replacing": selectors.second_factor_device(user=user) is not None,
    }
    return render(request, "signin/enrol.html", context)


def _official(request: HttpRequest) -> Account:
    user = request.user
    if not signs_in_with_password(user):
        raise PermissionDenied
    return user  # type: ignore[return-value]


@never_cache
@login_required(login_url=LOGIN)
@require_http_methods(["GET", "POST"])
def security(request: HttpRequest) -> HttpResponse:
    """Bảo mật tài khoản: second factor, recovery codes, password, sign out everywhere."""
    user = _official(request)
    password_form = OfficialPasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and password_form.is_valid():
        password_form.save()
        # The other sessions die with the old password hash; this one is kept.
        update_session_auth_hash(request, password_form.user)
        messages.success(request, _("Đã đổi mật khẩu. Các phiên đăng nhập khác đã bị đăng xuất."))
        return redirect("signin:security")
    recovery = selectors.recovery_device(user=user)
    context = {
        "device": selectors.second_factor_device(user=user),
        "recovery_left": recovery.unused_count() if recovery is not None else 0,
        "key_count": len(selectors.security_keys(user=user)),
        "required": _required_for(user),
        "password_form": password_form,
        "may_unlock": selectors.lockout_page_allowed(user=user),
    }
    return render(request, "signin/security.html", context)


@never_cache
@login_required(login_url=LOGIN)
@require_http_methods(["GET", "POST"])
def security_keys(request: HttpRequest) -> HttpResponse:
    """Khóa bảo mật: add a key (the WebAuthn ceremony runs in ``signin.webauthn``), name or remove one."""
    user = _official(request)
    if request.method == "POST":
        key_id = request.POST.get("key", "")
        try:
            if request.POST.get("action") == "remove":
                services.security_key_remove(user=user, key_id=key_id)
                messages.success(request, _("Đã gỡ khóa bảo mật."))
            else:
                services.security_key_rename(user=user, key_id=key_id, name=request.POST.get("name", ""))
                messages.success(request, _("Đã lưu tên khóa bảo mật."))
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        return redirect("signin:security_keys")
    context = {
        "device": selectors.second_factor_device(user=user),
        "keys": selectors.security_keys(user=user),
    }
    return render(request, "signin/security_keys.html", context)


@login_required(login_url=LOGIN)
@require_POST
def recovery_codes_new(request: HttpRequest) -> HttpResponse:
    user = _official(request)
    if selectors.second_factor_device(user=user) is None:
        return redirect("signin:enrol")
    return _codes_page(request, services.recovery_codes_issue(user=user), next_url=reverse("signin:security"))


@login_required(login_url=LOGIN)
@require_POST
def second_factor_off(request: HttpRequest) -> HttpResponse:
    user = _official(request)
    try:
        services.second_factor_remove(user=user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        update_session_auth_hash(request, user)
        messages.success(request, _("Đã tắt xác thực hai bước."))
    return redirect("signin:security")


@login_required(login_url=LOGIN)
@require_POST
def sessions_end(request: HttpRequest) -> HttpResponse:
    """Sign out everywhere else — đăng xuất khỏi mọi nơi khác; this browser stays signed in."""
    user = _official(request)
    services.account_sessions_end(user=user)
    update_session_auth_hash(request, user)
    messages.success(
        request,
        _("Đã đăng xuất khỏi mọi thiết bị khác; các thiết bị được ghi nhớ phải nhập lại mã xác thực."),
    )
    return redirect("signin:security")


@never_cache
@login_required(login_url=LOGIN)
@require_http_methods(["GET", "POST"])
def lockouts(request: HttpRequest) -> HttpResponse:
    """Mở khóa đăng nhập: the lockouts in force the unit admin may release; each release is recorded."""
    user = _official(request)
    if not selectors.lockout_page_allowed(user=user):
        raise PermissionDenied
    if request.method == "POST":
        username = request.POST.get("username", "")
        address = request.POST.get("ip_address", "")
        try:
            services.lockout_release(by=user, username=username, ip_address=address)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, format_html(_("Đã mở khóa đăng nhập cho {}."), username or address))
        return redirect("signin:lockouts")
    return render(request, "signin/lockouts.html", {"lockouts": selectors.lockouts_visible(user=user)})

"""Security keys / passkeys as officials' second factor — khóa bảo mật (django-otp-webauthn).

The library's four JSON views do the WebAuthn ceremonies (py_webauthn underneath); these subclasses fit
them to our sign-in (docs/architecture.md §39):

- *Registration* needs a signed-in official whose session passed the second factor **and** who has the
  TOTP authenticator: a key is an extra way in, never the only one (recovery codes and the TOTP stay the
  fallback when a key is lost), so "turn the second factor off" and the required-factor rule keep their
  meaning.
- *Authentication* serves only the *pending* login of ``session`` (password right, second factor due):
  the account is the pending one, never a passwordless sign-in (``OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN``
  is off). A refused assertion counts as a failed sign-in for django-axes and for the pending login's
  five tries, exactly as a wrong TOTP code; success opens the session with ``session_complete``.
- Errors go back as JSON with a Vietnamese ``detail`` (the library's script shows it).
"""

from __future__ import annotations

import logging
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import exceptions
from django_otp_webauthn import views as otp_views

from motcua.accounts.models import Account
from motcua.signin import selectors
from motcua.signin.session import pending_failure, pending_get, session_complete, signs_in_with_password

logger = logging.getLogger(__name__)

# Where the pending login's account is kept for the ceremony: the library reads ``get_user()``.
_PENDING_USER = "_motcua_pending_user"


class KeyLockedOut(exceptions.OTPWebAuthnApiError):
    status_code = 429
    default_code = "locked_out"


class KeyNotSignedIn(exceptions.NotAuthenticated):
    """No signed-in account and no login in progress: 401 (sign in first), as the API answers, rather
    than the library's 403 — refused for who the caller is not, not for what they may not do."""

    status_code = 401


class KeyNeedsAuthenticator(exceptions.OTPWebAuthnApiError):
    status_code = 403
    default_code = "authenticator_required"


def _detail(exc: exceptions.OTPWebAuthnApiError) -> str:
    """The message the browser shows, in Vietnamese (the library's own are English)."""
    messages = {
        "not_authenticated": _("Phiên đăng nhập đã hết. Vui lòng đăng nhập lại."),
        "user_not_verified": _("Vui lòng xác thực hai bước trước khi thêm khóa bảo mật."),
        "authenticator_required": _("Hãy bật xác thực hai bước bằng ứng dụng trước khi thêm khóa bảo mật."),
        "invalid_state": _("Thao tác đã hết hạn. Vui lòng thử lại."),
        "locked_out": _("Tài khoản tạm thời bị khóa do nhập sai nhiều lần. Vui lòng thử lại sau."),
        "credential_not_found": _("Khóa bảo mật này chưa được đăng ký cho tài khoản."),
        "credential_user_mismatch": _("Khóa bảo mật này chưa được đăng ký cho tài khoản."),
        "credential_disabled": _("Khóa bảo mật này chưa được đăng ký cho tài khoản."),
    }
    return messages.get(exc.code, _("Không xác thực được khóa bảo mật. Vui lòng thử lại hoặc nhập mã."))


class _VietnameseErrors(otp_views.BaseWebAuthnView):
    def handle_exception(self, exc: Exception) -> JsonResponse:
        if isinstance(exc, exceptions.OTPWebAuthnApiError):
            # One line, no traceback: a refused key is the client's doing (the library's own logger,
            # OTP_WEBAUTHN_EXCEPTION_LOGGER_NAME, is off: it logs each as an ERROR with a traceback).
            logger.warning("Khóa bảo mật bị từ chối (%s) tại %s", exc.code, self.request.path)
            return JsonResponse({"detail": _detail(exc), "code": exc.code}, status=exc.status_code)
        raise exc


class _Registration(otp_views.RegistrationCeremonyMixin):
    request: HttpRequest

    def get_user(self) -> Account | None:
        user = self.request.user
        return user if signs_in_with_password(user) else None  # type: ignore[return-value]

    def initial(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        if not request.user.is_authenticated:
            raise KeyNotSignedIn()
        super().initial(request, *args, **kwargs)

    def check_can_register(self) -> None:
        user = self.get_user()
        if user is None or selectors.second_factor_device(user=user) is None:
            raise KeyNeedsAuthenticator()


class RegistrationBegin(_Registration, _VietnameseErrors, otp_views.BeginCredentialRegistrationView):
    pass


class RegistrationComplete(_Registration, _VietnameseErrors, otp_views.CompleteCredentialRegistrationView):
    def post(self, *args: Any, **kwargs: Any) -> JsonResponse:
        response = super().post(*args, **kwargs)
        user = self.get_user()
        logger.info("Cán bộ #%s thêm khóa bảo mật", user.pk if user else "?")
        return response


class _Authentication(otp_views.AuthenticationCeremonyMixin):
    request: HttpRequest

    def get_user(self) -> Account | None:
        if not hasattr(self.request, _PENDING_USER):
            pending = pending_get(self.request)
            setattr(self.request, _PENDING_USER, pending)
        pending = getattr(self.request, _PENDING_USER)
        return pending[0] if pending is not None else None

    def _credentials(self, user: Account) -> dict[str, str]:
        return {"username": user.get_username()}

    def check_can_authenticate(self) -> None:
        user = self.get_user()
        if user is None:
            raise KeyNotSignedIn()
        if not AxesProxyHandler.is_allowed(self.request, self._credentials(user)):
            raise KeyLockedOut()


class AuthenticationBegin(_Authentication, _VietnameseErrors, otp_views.BeginCredentialAuthenticationView):
    pass


class AuthenticationComplete(
    _Authentication, _VietnameseErrors, otp_views.CompleteCredentialAuthenticationView
):
    def handle_exception(self, exc: Exception) -> JsonResponse:
        response = super().handle_exception(exc)
        user = self.get_user()
        counted = isinstance(exc, exceptions.OTPWebAuthnApiError) and exc.code not in (
            "not_authenticated",
            "locked_out",
        )
        if user is not None and counted:
            # A refused key is a failed sign-in, as a wrong code is (django-axes; five per pending login).
            user_login_failed.send(sender=__name__, credentials=self._credentials(user), request=self.request)
            pending_failure(self.request)
        return response

    def complete_auth(self, device: Any) -> None:  # type: ignore[override]
        user = self.get_user()
        if user is None or device.user_id != user.pk:
            raise exceptions.CredentialUserMismatch()
        pending = getattr(self.request, _PENDING_USER)
        self._next = pending[1]["next"]
        session_complete(self.request, user=user, device=device)

    def get_success_url(self) -> str:
        return str(self._next)


app_name = "otp_webauthn"
# The names the library's template tags reverse (``otp_webauthn:…``).
urlpatterns = [
    path("dang-ky/bat-dau", RegistrationBegin.as_view(), name="credential-registration-begin"),
    path("dang-ky/hoan-tat", RegistrationComplete.as_view(), name="credential-registration-complete"),
    path("xac-thuc/bat-dau", AuthenticationBegin.as_view(), name="credential-authentication-begin"),
    path("xac-thuc/hoan-tat", AuthenticationComplete.as_view(), name="credential-authentication-complete"),
    # The library script's strings; their Vietnamese is in motcua/locale/vi/LC_MESSAGES/djangojs.po.
    path("jsi18n", JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]), name="js-i18n-catalog"),
]

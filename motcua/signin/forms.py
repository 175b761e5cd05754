"""Forms of the officials' sign-in, in Vietnamese."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class OfficialLoginForm(AuthenticationForm):
    """Django's authentication form (so django-axes sees the request) with the back office's wording."""

    error_messages = {
        "invalid_login": gettext_lazy(
            "Tên đăng nhập hoặc mật khẩu không đúng. Lưu ý mật khẩu phân biệt chữ hoa, chữ thường."
        ),
        "inactive": gettext_lazy("Tài khoản này đã bị khóa."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Tên đăng nhập")
        self.fields["password"].label = _("Mật khẩu")
        self.fields["username"].error_messages["required"] = _("Vui lòng nhập tên đăng nhập.")
        self.fields["password"].error_messages["required"] = _("Vui lòng nhập mật khẩu.")


class CodeForm(forms.Form):
    """A code from the authenticator app (6 digits) or a recovery code."""

    code = forms.CharField(max_length=40, strip=True)
    remember = forms.BooleanField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].label = _("Mã xác thực")
        self.fields["code"].error_messages["required"] = _("Vui lòng nhập mã xác thực.")
        self.fields["remember"].label = _("Ghi nhớ thiết bị này đến hết ngày làm việc")


class OfficialPasswordChangeForm(PasswordChangeForm):
    """Django's password change (the project's validators: 12 characters, not common, not only digits,
    not like the login) with Vietnamese labels."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Mật khẩu hiện tại")
        self.fields["new_password1"].label = _("Mật khẩu mới")
        self.fields["new_password2"].label = _("Nhập lại mật khẩu mới")
        self.error_messages = {
            **self.error_messages,
            "password_incorrect": _("Mật khẩu hiện tại không đúng."),
            "password_mismatch": _("Hai lần nhập mật khẩu mới không khớp."),
        }

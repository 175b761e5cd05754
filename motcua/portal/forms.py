"""Forms of the public portal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.portal.tracking import MAX_CODE_LENGTH, VERIFIER_RE, normalise_code


class TrackingForm(forms.Form):
    """Tra cứu hồ sơ: the dossier code, optionally the last 4 digits of the applicant's phone or ID."""

    ma = forms.CharField(
        label=_("Mã hồ sơ"),
        max_length=MAX_CODE_LENGTH,
        help_text=_("In trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả, ví dụ 000.22.07.H49-251122-0007."),
        error_messages={"required": _("Vui lòng nhập mã hồ sơ."), "max_length": _("Mã hồ sơ quá dài.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )
    so_cuoi = forms.CharField(
        label=_("4 số cuối điện thoại hoặc số định danh (không bắt buộc)"),
        required=False,
        max_length=4,
        help_text=_("Nhập để xem thêm tên viết tắt của người nộp và giấy tờ cần bổ sung."),
        error_messages={"max_length": _("Chỉ nhập đúng 4 chữ số cuối.")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "pattern": "[0-9]{4}", "autocomplete": "off", "size": "6"}
        ),
    )

    def clean_ma(self) -> str:
        return normalise_code(self.cleaned_data.get("ma", ""))

    def clean_so_cuoi(self) -> str:
        value: Any = (self.cleaned_data.get("so_cuoi") or "").strip()
        if value and not VERIFIER_RE.match(value):
            raise forms.ValidationError(_("Chỉ nhập đúng 4 chữ số cuối."))
        return str(value)


class VerifierForm(TrackingForm):
    """The verifier form on a dossier's page (the code is in the URL)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["ma"]
        self.fields["so_cuoi"].required = True
        self.fields["so_cuoi"].label = _("4 số cuối điện thoại hoặc số định danh của người nộp")
        self.fields["so_cuoi"].error_messages["required"] = _("Vui lòng nhập 4 chữ số cuối.")

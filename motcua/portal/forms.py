"""Forms of the public portal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from motcua.core import uploads
from motcua.dossiers.models import Dossier, DvcqgStatus
from motcua.feedback.models import FeedbackKind, RatingLevel
from motcua.portal.tracking import MAX_CODE_LENGTH, VERIFIER_RE, normalise_code

REQUIRED = {"required": _("Vui lòng nhập thông tin này.")}


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


# --------------------------------------------------------------------------------------------------
# Hồ sơ của tôi
# --------------------------------------------------------------------------------------------------


def _translated(choices: list[tuple[Any, str]]) -> list[tuple[Any, Any]]:
    """A model enum's choices with their labels in the page's language (the labels are marked in models)."""
    return [(value, _(label)) for value, label in choices]


class MyDossiersFilterForm(forms.Form):
    """The status filter and page of "Hồ sơ của tôi" (GET)."""

    trang_thai = forms.TypedChoiceField(
        label=_("Trạng thái"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Tất cả")), *_translated(list(DvcqgStatus.choices))],
    )
    trang = forms.IntegerField(required=False, min_value=1, max_value=100_000, widget=forms.HiddenInput)

    def value(self, name: str) -> Any:
        return self.cleaned_data.get(name) if self.is_valid() or name in self.cleaned_data else None


class RowVersionForm(forms.Form):
    """Base of the applicant's action forms: the version of the dossier the applicant saw."""

    row_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, dossier: Dossier, **kwargs: Any) -> None:
        self.dossier = dossier
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("row_version", dossier.row_version)


def _upload_check(upload: UploadedFile | None) -> File | None:
    """The engine's one upload check (``core.uploads``), here to show its message beside the field."""
    if upload is None:
        return None
    try:
        return uploads.upload_check(upload)
    except uploads.UploadRefused as exc:
        raise forms.ValidationError(exc.message) from None


class SupplementAnswerForm(RowVersionForm):
    """Nộp bổ sung: one file (PDF, JPEG, PNG) for each item of the supplement request, all required."""

    note = forms.CharField(
        label=_("Ghi chú cho cán bộ (không bắt buộc)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, dossier: Dossier, items: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, dossier=dossier, **kwargs)
        self.requested = [str(i.get("name", "")) for i in items if i.get("name")]
        for index, name in enumerate(self.requested):
            self.fields[f"file_{index}"] = forms.FileField(
                label=gettext("Tệp: %(name)s") % {"name": name},
                help_text=_("PDF, JPG hoặc PNG."),
                widget=uploads.file_input(),
                error_messages={"required": _("Vui lòng chọn tệp cho giấy tờ này.")},
            )

    def file_fields(self) -> list[Any]:
        return [self[f"file_{i}"] for i in range(len(self.requested))]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for index in range(len(self.requested)):
            name = f"file_{index}"
            if data.get(name) is not None:
                try:
                    data[name] = _upload_check(data.get(name))
                except forms.ValidationError as exc:
                    self.add_error(name, exc)
        return data

    def action_data(self) -> dict[str, object]:
        """The input of the registry's ``receive_supplement``: one named component per requested item."""
        return {
            "row_version": self.cleaned_data["row_version"],
            "components": [{"name": name} for name in self.requested],
            "note": self.cleaned_data.get("note", ""),
        }

    def action_files(self) -> dict[str, File]:
        return {f"components.{i}": self.cleaned_data[f"file_{i}"] for i in range(len(self.requested))}


class WithdrawForm(RowVersionForm):
    """Rút hồ sơ: the reason and an explicit confirmation (the step cannot be undone)."""

    reason = forms.CharField(
        label=_("Lý do rút hồ sơ"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Vui lòng nhập lý do rút hồ sơ.")},
    )
    confirm = forms.BooleanField(
        label=_("Tôi hiểu rằng hồ sơ đã rút sẽ dừng giải quyết và không thể khôi phục."),
        error_messages={"required": _("Vui lòng đánh dấu xác nhận để rút hồ sơ.")},
    )

    def action_data(self) -> dict[str, object]:
        return {"row_version": self.cleaned_data["row_version"], "reason": self.cleaned_data["reason"]}


class RatingForm(forms.Form):
    """Đánh giá mức độ hài lòng."""

    level = forms.ChoiceField(
        label=_("Mức độ hài lòng"),
        choices=_translated(list(RatingLevel.choices)),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Vui lòng chọn mức độ hài lòng."),
            "invalid_choice": _("Vui lòng chọn mức độ hài lòng."),
        },
    )
    comment = forms.CharField(
        label=_("Ý kiến (không bắt buộc)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Ý kiến dài quá 2000 ký tự.")},
    )


class FeedbackForm(forms.Form):
    """Gửi phản ánh, kiến nghị về hồ sơ."""

    kind = forms.ChoiceField(
        label=_("Loại"),
        choices=_translated(list(FeedbackKind.choices)),
        error_messages={
            "required": _("Vui lòng chọn loại: phản ánh hoặc kiến nghị."),
            "invalid_choice": _("Vui lòng chọn loại: phản ánh hoặc kiến nghị."),
        },
    )
    content = forms.CharField(
        label=_("Nội dung phản ánh, kiến nghị"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Vui lòng nhập nội dung phản ánh, kiến nghị."),
            "max_length": _("Nội dung dài quá 4000 ký tự."),
        },
    )

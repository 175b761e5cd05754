"""Back-office forms: queue filters, one form per dossier action, counter intake, ledger period.

Forms validate the shape of the input at the edge (docs/architecture.md) with Vietnamese messages; the dossier
services re-check everything that depends on the dossier's state and the official's roles.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from motcua.accounts.id_card_qr import IdCardQr, id_card_qr_parse
from motcua.accounts.identity_numbers import Identity, applicant_identity_clean
from motcua.accounts.models import Account
from motcua.accounts.selectors import account_display_name
from motcua.backoffice.selectors import deciding_units, officials_with_role
from motcua.catalog.fees import fee_cases
from motcua.catalog.models import Field, Procedure
from motcua.core import uploads
from motcua.dossiers import rules, services
from motcua.dossiers.form_builders import LEDGER_MAX_DAYS
from motcua.dossiers.models import CLOSED_STATUSES, ApplicantKind, Channel, Dossier, DvcqgStatus, PauseReason
from motcua.org.models import Role, Unit
from motcua.population.services import PersonRecord, PopulationError, population_lookup

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

REQUIRED = {"required": _("Vui lòng nhập thông tin này.")}


def _translated(choices: list[tuple[Any, str]]) -> list[tuple[Any, Any]]:
    """A model enum's choices with their labels in the page's language (the labels are marked in models)."""
    return [(value, _(label)) for value, label in choices]


def upload_check(upload: UploadedFile | None) -> File | None:
    """A scanned component checked by the engine's one upload check (``core.uploads``), run here to
    show its Vietnamese message beside the field; the checked copy is what the engine stores."""
    if upload is None:
        return None
    try:
        return uploads.upload_check(upload)
    except uploads.UploadRefused as exc:
        raise forms.ValidationError(exc.message) from None


class ObjectChoiceField(forms.ChoiceField):
    """A choice among objects the form has already loaded: the page posts the pk, the form gets the object.

    The form fills the choices per instance with ``set_objects({pk: obj})``; a pk outside that mapping
    (a stale page, a crafted request) fails with the ``invalid_choice`` message. An empty value is
    None, refused with ``required`` when the field is required. No query: the objects come in loaded.
    """

    def __init__(
        self,
        *,
        label_from: Callable[[Any], str] = str,
        empty_label: StrOrPromise | None = None,
        invalid_choice: StrOrPromise | None = None,
        **kwargs: Any,
    ) -> None:
        if invalid_choice is not None:
            kwargs["error_messages"] = {**kwargs.get("error_messages", {}), "invalid_choice": invalid_choice}
        super().__init__(choices=(), **kwargs)
        self.label_from = label_from
        self.empty_label = empty_label
        self.objects: dict[int, Any] = {}

    def set_objects(self, objects: Mapping[int, Any], *, empty_label: StrOrPromise | None = None) -> None:
        """The objects to choose from, in display order; ``empty_label`` overrides the field's."""
        if empty_label is not None:
            self.empty_label = empty_label
        self.objects = dict(objects)
        choices: list[tuple[Any, StrOrPromise]] = [
            (pk, self.label_from(obj)) for pk, obj in self.objects.items()
        ]
        if self.empty_label is not None:
            choices.insert(0, ("", self.empty_label))
        self.choices = choices

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        try:
            found = self.objects.get(int(value))
        except (TypeError, ValueError):
            found = None
        if found is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            )
        return found

    def validate(self, value: Any) -> None:
        forms.Field.validate(self, value)  # the required check; to_python has checked the choice

    def prepare_value(self, value: Any) -> Any:
        return getattr(value, "pk", value)


def object_field(form: forms.BaseForm, name: str) -> ObjectChoiceField:
    """The form instance's copy of an ``ObjectChoiceField``, to call ``set_objects`` on."""
    return cast(ObjectChoiceField, form.fields[name])


def _official_name(user: Account) -> str:
    return account_display_name(user)


def _unit_name(unit: Unit) -> str:
    return unit.name


def _username(user: Account | None) -> str | None:
    """An official picked in the form, as the action registry names accounts."""
    return None if user is None else user.username


# --------------------------------------------------------------------------------------------------
# Queue
# --------------------------------------------------------------------------------------------------

DUE_CHOICES = [("", _("Tất cả")), ("sap-den-han", _("Sắp đến hạn")), ("qua-han", _("Quá hạn"))]


# Orders of the open queues: by due time (default) or by the lateness forecast ("sắp trễ").
SORT_CHOICES = [("", _("Hạn xử lý gần nhất")), ("nguy-co", _("Nguy cơ trễ hạn cao nhất"))]


# The queue's tabs (query-string value → ``dossiers.selectors.dossier_queue`` scope).
QUEUE_TABS = {"toi": "mine", "cho-nhan": "pool", "don-vi": "unit", "tat-ca": "all"}


class QueueFilterForm(forms.Form):
    """Query-string filters of the queues. Invalid values are ignored (the page still works)."""

    tab = forms.ChoiceField(
        choices=[
            ("toi", _("Được giao cho tôi")),
            ("cho-nhan", _("Chờ nhận")),
            ("don-vi", _("Của đơn vị")),
            ("tat-ca", _("Tất cả hồ sơ")),
        ],
        required=False,
    )
    q = forms.CharField(
        label=_("Tìm hồ sơ"),
        required=False,
        max_length=100,
        error_messages={
            "max_length": _(
                "Từ khóa tìm kiếm dài quá %(limit_value)d ký tự: hãy nhập mã hồ sơ, họ tên hoặc số định danh."
            )
        },
    )
    status = forms.TypedChoiceField(
        label=_("Trạng thái"),
        choices=[("", _("Tất cả trạng thái")), *_translated(DvcqgStatus.choices)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    state = forms.CharField(required=False, max_length=32)
    procedure = forms.CharField(label=_("Mã thủ tục"), required=False, max_length=40)
    field = forms.TypedChoiceField(label=_("Lĩnh vực"), coerce=int, empty_value=None, required=False)
    channel = forms.ChoiceField(
        label=_("Kênh nộp"), choices=[("", _("Tất cả kênh")), *_translated(Channel.choices)], required=False
    )
    han = forms.ChoiceField(label=_("Thời hạn"), choices=DUE_CHOICES, required=False)
    unit = forms.TypedChoiceField(label=_("Đơn vị"), coerce=int, empty_value=None, required=False)
    sap_xep = forms.ChoiceField(label=_("Sắp xếp"), choices=SORT_CHOICES, required=False)
    page = forms.IntegerField(min_value=1, required=False)

    def __init__(self, *args: Any, fields: list[tuple[int, str]], units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [("", _("Tất cả lĩnh vực")), *fields]  # type: ignore[attr-defined]
        self.fields["unit"].choices = [("", _("Tất cả đơn vị của tôi")), *((u.pk, u.name) for u in units)]  # type: ignore[attr-defined]

    @staticmethod
    def tab_of(data: Any) -> str:
        """The tab the request shows, read before the form is built (the unit tabs need unit choices).

        A search or a closed status always looks at every dossier ("tat-ca"); "" when no tab is asked
        (the view then opens the one with work in it).
        """
        if (data.get("q") or "").strip():
            return "tat-ca"
        status = (data.get("status") or "").strip()
        if status.isdigit() and int(status) in CLOSED_STATUSES:
            return "tat-ca"
        tab = data.get("tab") or ""
        return tab if tab in QUEUE_TABS else ""

    def value(self, name: str) -> Any:
        """The cleaned value, or None for an invalid or missing one."""
        if name in self.errors:
            return None
        return self.cleaned_data.get(name) or None


# --------------------------------------------------------------------------------------------------
# Dossier actions
# --------------------------------------------------------------------------------------------------


class ActionForm(forms.Form):
    """Base of the action forms: carries the version of the dossier the official saw.

    A valid form gives the action's input as the registry's schema defines it (``action_data``, with
    object pickers giving usernames and agency codes) and its uploads (``action_files``); the view
    dispatches them through ``dossiers.actions.action_perform``.
    """

    # A registry field path → the form field showing its error, where the names differ.
    error_fields: dict[str, str] = {}

    row_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, dossier: Dossier, **kwargs: Any) -> None:
        self.dossier = dossier
        kwargs.setdefault("prefix", None)
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("row_version", dossier.row_version)

    def action_data(self) -> dict[str, object]:
        """The action's input: the version the official saw plus the action's own fields."""
        return {"row_version": self.cleaned_data["row_version"], **self.action_fields()}

    def action_fields(self) -> dict[str, object]:
        """The action's own fields (besides ``row_version``), named as in its registry schema."""
        return {}

    def action_files(self) -> dict[str, File]:
        """Uploads, keyed by the path of the item they belong to (``components.0``)."""
        return {}

    def error_field(self, path: str) -> str | None:
        """The form field that shows the registry's error on ``path`` (None: the form's own error)."""
        name = self.error_fields.get(path, path)
        return name if name in self.fields else None


def _reason(label: StrOrPromise, *, required: bool = True, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages=REQUIRED,
    )


class EmptyActionForm(ActionForm):
    """Accept, claim: only the version."""


class ReasonForm(ActionForm):
    reason = _reason(_("Lý do"))

    def action_fields(self) -> dict[str, object]:
        return {"reason": self.cleaned_data["reason"]}


class RefuseForm(ReasonForm):
    reason = _reason(_("Lý do từ chối tiếp nhận"))


class RejectForm(ReasonForm):
    reason = _reason(_("Lý do từ chối giải quyết"))


class WithdrawForm(ReasonForm):
    reason = _reason(_("Lý do công dân rút hồ sơ"))


class StopForm(ReasonForm):
    reason = _reason(_("Lý do dừng xử lý"))


class NoteForm(ActionForm):
    note = _reason(_("Ghi chú, ý kiến"), required=False, rows=2)

    def action_fields(self) -> dict[str, object]:
        return {"note": self.cleaned_data["note"]}


class ForwardForm(NoteForm):
    """Chuyển bước: a named official of the next step's unit and role, or the unit pool."""

    # Empty: the unit pool of the next step.
    assignee = ObjectChoiceField(
        label=_("Cán bộ xử lý bước tiếp theo"),
        label_from=_official_name,
        required=False,
        invalid_choice=_("Cán bộ được chọn không thực hiện bước tiếp theo."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.next_step_name = ""
        self.next_unit: Unit | None = None
        plan, index = rules.step_plan(self.dossier), rules.current_index(self.dossier)
        if index is not None and index + 1 < len(plan.steps):
            step = plan.steps[index + 1]
            self.next_step_name = step.name
            self.next_unit = services.step_unit_resolve(dossier=self.dossier, process_step=step)
            users = officials_with_role(unit=self.next_unit, roles=[step.actor_role])
            unit_name = self.next_unit.short_name or self.next_unit.name
            role_label = gettext(Role(step.actor_role).label).lower()
            object_field(self, "assignee").set_objects(
                {u.pk: u for u in users},
                empty_label=gettext("Chuyển vào kho chung của %(unit)s (%(role)s)")
                % {"unit": unit_name, "role": role_label},
            )

    def action_fields(self) -> dict[str, object]:
        return {"assignee": _username(self.cleaned_data["assignee"]), "note": self.cleaned_data["note"]}


class ReassignForm(ActionForm):
    """Phân công lại: another official of the current step's unit and role."""

    assignee = ObjectChoiceField(
        label=_("Cán bộ được phân công"),
        label_from=_official_name,
        empty_label=_("— Chọn cán bộ —"),
        error_messages={"required": _("Vui lòng chọn cán bộ được phân công.")},
        invalid_choice=_("Cán bộ được chọn không thực hiện bước này."),
    )
    reason = _reason(_("Lý do phân công lại"), rows=2)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        step = self.dossier.current_step
        candidates: dict[int, Any] = {}
        if step is not None:
            users = officials_with_role(unit=step.unit, roles=[step.role])
            candidates = {u.pk: u for u in users if u.pk != step.assignee_id}
            if not candidates:
                self.fields["assignee"].help_text = gettext(
                    "Không có cán bộ nào khác có vai trò %(role)s tại %(unit)s; "
                    "phân quyền thêm cán bộ trong trang quản trị."
                ) % {"role": gettext(Role(step.role).label).lower(), "unit": step.unit.name}
        object_field(self, "assignee").set_objects(candidates)

    def action_fields(self) -> dict[str, object]:
        return {"assignee": _username(self.cleaned_data["assignee"]), "reason": self.cleaned_data["reason"]}


class SendBackForm(ActionForm):
    to_step_order = forms.TypedChoiceField(
        label=_("Trả lại bước"), coerce=int, empty_value=None, required=False
    )
    reason = _reason(_("Lý do trả lại"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plan, index = rules.step_plan(self.dossier), rules.current_index(self.dossier)
        previous = list(plan.steps[: index or 0])
        choices: list[tuple[Any, StrOrPromise]] = [("", _("Bước liền trước"))]
        choices += [(s.order, f"{s.order}. {s.name}") for s in reversed(previous)]
        self.fields["to_step_order"].choices = choices  # type: ignore[attr-defined]

    def action_fields(self) -> dict[str, object]:
        return {"reason": self.cleaned_data["reason"], "to_step_order": self.cleaned_data["to_step_order"]}


class TransferForm(ActionForm):
    to_unit = forms.ModelChoiceField(
        label=_("Đơn vị phối hợp"),
        queryset=Unit.objects.none(),
        empty_label=_("— Chọn đơn vị —"),
        error_messages={"required": _("Vui lòng chọn đơn vị."), "invalid_choice": _("Đơn vị không hợp lệ.")},
    )
    reason = _reason(_("Nội dung đề nghị phối hợp"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].queryset = deciding_units().exclude(  # type: ignore[attr-defined]
            pk=self.dossier.current_unit_id
        )

    def action_fields(self) -> dict[str, object]:
        return {"to_unit": self.cleaned_data["to_unit"].agency_code, "reason": self.cleaned_data["reason"]}


class TransferBackForm(NoteForm):
    note = _reason(_("Kết quả xử lý liên thông"), required=False, rows=2)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class SupplementRequestForm(ActionForm):
    items = forms.CharField(
        label=_("Giấy tờ, nội dung cần bổ sung (mỗi dòng một mục; có thể ghi «tên | lý do»)"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=REQUIRED,
    )
    reason = _reason(_("Lý do yêu cầu bổ sung"), rows=2)

    def clean_items(self) -> list[dict[str, str]]:
        items = []
        for line in _lines(self.cleaned_data["items"]):
            name, _sep, note = line.partition("|")
            if name.strip():
                items.append({"name": name.strip(), "note": note.strip()})
        if not items:
            raise forms.ValidationError(_("Vui lòng nêu ít nhất một giấy tờ, nội dung cần bổ sung."))
        return items

    def error_field(self, path: str) -> str | None:
        return "items" if path.startswith("items") else super().error_field(path)

    def action_fields(self) -> dict[str, object]:
        return {"items": self.cleaned_data["items"], "reason": self.cleaned_data["reason"]}


class ReceiveSupplementForm(NoteForm):
    """One optional scan per requested item (từ phiếu yêu cầu bổ sung) plus "paper presented"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pause = (
            self.dossier.pauses.filter(reason=PauseReason.SUPPLEMENT, ended_at__isnull=True)
            .order_by("-started_at")
            .first()
        )
        self.requested: list[str] = [
            str(i.get("name", "")) for i in (pause.items if pause else []) if i.get("name")
        ]
        for index, name in enumerate(self.requested):
            self.fields[f"paper_{index}"] = forms.BooleanField(
                label=gettext("Đã xuất trình bản giấy: %(name)s") % {"name": name}, required=False
            )
            self.fields[f"file_{index}"] = forms.FileField(
                label=gettext("Bản quét: %(name)s") % {"name": name},
                required=False,
                widget=uploads.file_input(),
            )

    def item_fields(self) -> list[tuple[Any, Any]]:
        return [(self[f"paper_{i}"], self[f"file_{i}"]) for i in range(len(self.requested))]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for index in range(len(self.requested)):
            try:
                data[f"file_{index}"] = upload_check(data.get(f"file_{index}"))
            except forms.ValidationError as exc:
                self.add_error(f"file_{index}", exc)
        return data

    def _received(self) -> list[tuple[str, bool, File | None]]:
        """(requested item, paper presented, scan) of the items the official checked or scanned."""
        received = []
        for index, name in enumerate(self.requested):
            paper = bool(self.cleaned_data.get(f"paper_{index}"))
            upload = self.cleaned_data.get(f"file_{index}")
            if paper or upload:
                received.append((name, paper, upload))
        return received

    def action_fields(self) -> dict[str, object]:
        components = [{"name": name, "paper_presented": paper} for name, paper, _upload in self._received()]
        return {"components": components, "note": self.cleaned_data["note"]}

    def action_files(self) -> dict[str, File]:
        received = self._received()
        return {f"components.{i}": upload for i, (_name, _paper, upload) in enumerate(received) if upload}


class RequestPaymentForm(ActionForm):
    fee_name = forms.CharField(label=_("Khoản phải nộp"), max_length=500, error_messages=REQUIRED)
    amount_vnd = forms.IntegerField(
        label=_("Số tiền (đồng)"),
        min_value=1,
        max_value=10**13,
        error_messages={
            **REQUIRED,
            "min_value": _("Số tiền phải lớn hơn 0."),
            "invalid": _("Số tiền không hợp lệ."),
        },
    )
    reason = _reason(_("Nội dung"), required=False, rows=2)

    error_fields = {"fees.0.name": "fee_name", "fees.0.amount_vnd": "amount_vnd"}

    def action_fields(self) -> dict[str, object]:
        fee = {"name": self.cleaned_data["fee_name"], "amount_vnd": self.cleaned_data["amount_vnd"]}
        return {"fees": [fee], "reason": self.cleaned_data["reason"]}


class RecordPaymentForm(ActionForm):
    reference = forms.CharField(label=_("Số biên lai, chứng từ"), max_length=255, required=False)

    def action_fields(self) -> dict[str, object]:
        return {"reference": self.cleaned_data["reference"]}


class SignatureForm(ActionForm):
    """Ghi nhận chữ ký số — the seam where the digital-signing app plugs in later."""

    signer = ObjectChoiceField(
        label=_("Lãnh đạo ký"),
        label_from=_official_name,
        empty_label=_("— Chọn lãnh đạo —"),
        error_messages={"required": _("Vui lòng chọn người ký.")},
        invalid_choice=_("Người ký phải là lãnh đạo của đơn vị giải quyết."),
    )
    signature_reference = forms.CharField(
        label=_("Số, ký hiệu văn bản / mã tham chiếu chữ ký"), max_length=255, error_messages=REQUIRED
    )
    result_file = forms.FileField(
        label=_("Tệp kết quả đã ký số (PDF)"),
        required=False,
        error_messages={"required": _("Hồ sơ nộp trực tuyến: vui lòng đính kèm tệp kết quả đã ký số.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        result_field = self.fields["result_file"]
        result_field.required = services.result_file_required(self.dossier)
        # PDF first; a scan (JPEG/PNG) is accepted and turned into a PDF by the engine.
        result_field.widget = uploads.file_input()
        result_field.help_text = _(
            "Tệp PDF đã ký số được lưu nguyên vẹn; ảnh JPG, PNG được chuyển thành PDF."
        )
        users = officials_with_role(unit=self.dossier.competent_unit, roles=[Role.LEADER])
        leaders = {u.pk: u for u in users}
        if self.dossier.decided_by_id in leaders:
            self.initial.setdefault("signer", self.dossier.decided_by_id)
        object_field(self, "signer").set_objects(leaders)

    def action_fields(self) -> dict[str, object]:
        return {
            "signer": _username(self.cleaned_data["signer"]),
            "signature_reference": self.cleaned_data["signature_reference"],
        }

    def clean_result_file(self) -> File | None:
        return upload_check(self.cleaned_data.get("result_file"))

    def action_files(self) -> dict[str, File]:
        upload = self.cleaned_data.get("result_file")
        return {"result_file": upload} if upload else {}


class ReturnResultForm(NoteForm):
    method = forms.ChoiceField(
        label=_("Hình thức trả kết quả"),
        choices=[
            ("counter", _("Trực tiếp tại quầy")),
            ("postal", _("Qua bưu chính công ích")),
            ("online", _("Trực tuyến (kho dữ liệu điện tử)")),
        ],
        initial="counter",
    )

    def action_fields(self) -> dict[str, object]:
        return {"method": self.cleaned_data["method"], "note": self.cleaned_data["note"]}


class ExtendForm(ActionForm):
    new_due_at = forms.DateTimeField(
        label=_("Ngày giờ hẹn trả mới"),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={**REQUIRED, "invalid": _("Ngày giờ không hợp lệ.")},
    )
    reason = _reason(_("Lý do xin lỗi, hẹn lại"))

    def action_fields(self) -> dict[str, object]:
        return {"new_due_at": self.cleaned_data["new_due_at"], "reason": self.cleaned_data["reason"]}


# --------------------------------------------------------------------------------------------------
# Counter intake
# --------------------------------------------------------------------------------------------------


def population_fills(person: PersonRecord) -> dict[str, str]:
    """The intake fields a population database record fills (the applicant is the person looked up)."""
    return {
        "applicant_name": person.full_name,
        "applicant_birth_date": person.birth_date.isoformat(),
        "applicant_address": person.permanent_address,
    }


def qr_fills(qr: IdCardQr, *, organisation: bool) -> dict[str, str]:
    """The intake fields a chip ID card fills, as the page posts them.

    For an organisation the person at the counter with their card is the representative (người được
    ủy quyền); for a person, the applicant. The card has no phone or e-mail; its gender has no field.
    """
    if organisation:
        return {"representative_name": qr.full_name, "representative_id_number": qr.id_number}
    return {
        "applicant_name": qr.full_name,
        "applicant_id_number": qr.id_number,
        "applicant_birth_date": qr.date_of_birth.isoformat(),
        "applicant_address": qr.permanent_address,
    }


class IntakeForm(forms.Form):
    """Tiếp nhận hồ sơ tại quầy: applicant, representative, channel; components are read separately.

    ``id_card_qr``: the text a scanner types from the chip ID card's QR. Posted, it is parsed with the
    one parser (``accounts.id_card_qr``) before the fields are validated, and fills the applicant's
    fields the officer left empty (``qr_filled`` names them); a malformed code fills nothing and is the
    error of that field, so nothing is received. The page's script fills the fields as soon as the scan
    ends; this is the same without JavaScript, and the check of record when the form is posted.
    """

    id_card_qr = forms.CharField(
        label=_("Quét mã QR CCCD"),
        required=False,
        max_length=2000,
        strip=False,  # the parser trims (the scanner's CR/LF included)
        help_text=_(
            "Đặt con trỏ vào ô này và quét mã QR trên thẻ căn cước: họ tên, số định danh, ngày sinh, "
            "nơi thường trú được điền vào các ô còn trống."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "spellcheck": "false",
                "autocapitalize": "off",
                "data-id-card-qr": "",
            }
        ),
    )
    receiving_unit = ObjectChoiceField(
        label=_("Nơi tiếp nhận"),
        label_from=_unit_name,
        error_messages=REQUIRED,
        invalid_choice=_("Bạn không phải cán bộ tiếp nhận của đơn vị này."),
    )
    channel = forms.ChoiceField(
        label=_("Hình thức nộp"),
        choices=[(c.value, _(c.label)) for c in (Channel.COUNTER, Channel.KIOSK, Channel.POSTAL)],
        initial=Channel.COUNTER,
    )
    applicant_kind = forms.ChoiceField(
        label=_("Người nộp là"),
        choices=_translated(ApplicantKind.choices),
        initial=ApplicantKind.PERSON,
        widget=forms.RadioSelect,
    )
    applicant_name = forms.CharField(
        label=_("Họ và tên / tên tổ chức"), max_length=255, error_messages=REQUIRED
    )
    applicant_id_number = forms.CharField(
        label=_("Số định danh cá nhân (CCCD) / mã số doanh nghiệp"), max_length=20, error_messages=REQUIRED
    )
    applicant_birth_date = forms.DateField(
        label=_("Ngày sinh"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Ngày sinh không hợp lệ.")},
    )
    applicant_phone = forms.CharField(label=_("Số điện thoại"), max_length=20, required=False)
    applicant_email = forms.EmailField(
        label=_("Thư điện tử"),
        required=False,
        error_messages={"invalid": _("Địa chỉ thư điện tử không hợp lệ.")},
    )
    applicant_address = forms.CharField(label=_("Địa chỉ"), max_length=500, required=False)
    representative_name = forms.CharField(
        label=_("Họ tên người được ủy quyền"), max_length=255, required=False
    )
    representative_id_number = forms.CharField(
        label=_("Số CCCD người được ủy quyền"), max_length=20, required=False
    )
    representative_phone = forms.CharField(
        label=_("Số điện thoại người được ủy quyền"), max_length=20, required=False
    )
    chosen_unit = ObjectChoiceField(
        label=_("Cơ quan giải quyết (để trống: tự xác định)"),
        label_from=_unit_name,
        empty_label=_("— Tự xác định theo thủ tục và nơi tiếp nhận —"),
        required=False,
        invalid_choice=_("Cơ quan giải quyết không hợp lệ."),
    )
    summary = forms.CharField(
        label=_("Trích yếu hồ sơ"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    other_components = forms.CharField(
        label=_("Giấy tờ khác đã nhận (mỗi dòng một giấy tờ)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # Only for a procedure without a processing time (``needs_appointment``): the officer's appointment.
    appointment_at = forms.DateTimeField(
        label=_("Ngày giờ hẹn trả kết quả"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": _("Ngày giờ không hợp lệ.")},
    )
    appointment_reason = forms.CharField(
        label=_("Lý do ấn định ngày hẹn trả"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # Instead of receiving: form 02 (guidance) or form 03 (refusal).
    notice_items = forms.CharField(
        label=_("Nội dung khác cần bổ sung, hoàn thiện (mỗi dòng một nội dung)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    notice_reason = forms.CharField(
        label=_("Lý do từ chối tiếp nhận / ghi chú hướng dẫn"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self,
        *args: Any,
        procedure: Procedure,
        receiving_units: list[Unit],
        competent_units: list[Unit],
        needs_appointment: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.procedure = procedure
        self.needs_appointment = needs_appointment
        self.qr_filled: frozenset[str] = frozenset()
        self.qr_error = ""
        self.population_filled: frozenset[str] = frozenset()
        if self.is_bound:
            self._qr_fill()
        object_field(self, "receiving_unit").set_objects({u.pk: u for u in receiving_units})
        if len(receiving_units) == 1:
            self.initial.setdefault("receiving_unit", receiving_units[0].pk)
        object_field(self, "chosen_unit").set_objects({u.pk: u for u in competent_units})
        # Meta ordering is (procedure, order); procedure_for_receipt has them prefetched.
        self.documents = list(procedure.documents.all())
        for doc in self.documents:
            self.fields[f"doc_{doc.pk}_paper"] = forms.BooleanField(
                label=_("Đã xuất trình bản giấy"), required=False
            )
            self.fields[f"doc_{doc.pk}_file"] = forms.FileField(
                label=_("Bản quét"), required=False, widget=uploads.file_input()
            )
        # Fee alternatives per case (catalog.fees): the officer says which case the dossier is; the
        # first case is preselected, as the engine assumes it when no case is given.
        cases = [c for group in fee_cases(procedure.fees.all()).values() for c in group]
        if cases:
            self.fields["fee_case"] = forms.ChoiceField(
                label=_("Trường hợp tính phí, lệ phí"),
                choices=[(c, c) for c in cases],
                initial=cases[0],
                error_messages={
                    "invalid_choice": _("Trường hợp tính phí không có trong biểu phí của thủ tục.")
                },
            )

    def _qr_fill(self) -> None:
        """Parse the posted QR text and fill the empty applicant fields (before any validation)."""
        text = self.data.get(self.add_prefix("id_card_qr")) or ""
        if not text.strip():
            return
        try:
            qr = id_card_qr_parse(text)
        except forms.ValidationError as exc:
            self.qr_error = exc.messages[0]
            return
        organisation = self.data.get(self.add_prefix("applicant_kind")) == ApplicantKind.ORGANISATION
        # A QueryDict is immutable: a mutable copy (``copy`` keeps its lists of values).
        data: Any = self.data.copy() if isinstance(self.data, QueryDict) else dict(self.data)
        filled = set()
        for name, value in qr_fills(qr, organisation=organisation).items():
            if not (data.get(self.add_prefix(name)) or "").strip():
                data[self.add_prefix(name)] = value
                filled.add(name)
        # Read: the field is empty again for the next card (what it filled stays marked).
        data[self.add_prefix("id_card_qr")] = ""
        self.data = data
        self.qr_filled = frozenset(filled)

    def qr_filled_labels(self) -> list[StrOrPromise]:
        """The labels of the fields the QR filled, in the page's order (the status line under it)."""
        return [field.label or name for name, field in self.fields.items() if name in self.qr_filled]

    def clean_id_card_qr(self) -> str:
        if self.qr_error:
            raise forms.ValidationError(self.qr_error)
        return ""

    def qr_read_only(self) -> None:
        """The page after «Đọc mã QR»: the fields filled, only the QR field's error shown.

        Nothing is received, so the other fields are not judged yet (an officer scans first and fills
        the rest after).
        """
        self._errors = ErrorDict(renderer=self.renderer)
        self.cleaned_data = {}
        if self.qr_error:
            self.add_error("id_card_qr", self.qr_error)

    def population_fill(self, *, actor: Account) -> bool:
        """«Tra cứu CSDL dân cư»: fill the empty applicant fields from the population database.

        The number is the posted ``applicant_id_number``. Like ``qr_read_only`` nothing else is judged;
        a refused or failed lookup (no number, not allowed, unknown, database down) leaves the fields as
        they are with the message beside the number. Returns whether the lookup gave a record.
        """
        self._errors = ErrorDict(renderer=self.renderer)
        self.cleaned_data = {}
        number = (self.data.get(self.add_prefix("applicant_id_number")) or "").strip()
        if not number:
            self.add_error("applicant_id_number", gettext("Nhập số định danh cá nhân trước khi tra cứu."))
            return False
        try:
            person = population_lookup(actor=actor, personal_id=number, purpose="Tiếp nhận hồ sơ tại quầy")
        except (PopulationError, PermissionDenied, ValueError) as exc:
            self.add_error("applicant_id_number", str(exc))
            return False
        data: Any = self.data.copy() if isinstance(self.data, QueryDict) else dict(self.data)
        filled = set()
        for name, value in population_fills(person).items():
            if not (data.get(self.add_prefix(name)) or "").strip():
                data[self.add_prefix(name)] = value
                filled.add(name)
        self.data = data
        self.population_filled = frozenset(filled)
        return True

    def population_filled_labels(self) -> list[StrOrPromise]:
        """The labels of the fields the lookup filled, in the page's order."""
        return [field.label or name for name, field in self.fields.items() if name in self.population_filled]

    def checklist(self) -> list[tuple[Any, Any, Any]]:
        """(catalogue document, paper checkbox, file input) per component."""
        return [(doc, self[f"doc_{doc.pk}_paper"], self[f"doc_{doc.pk}_file"]) for doc in self.documents]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("applicant_kind")
        # Names, ID numbers, tax codes, dates of birth, phones and e-mail: the check the engine and the
        # API use too (accounts.identity_numbers), run here to show each message beside its field.
        cleaned, errors = applicant_identity_clean(
            Identity(
                organisation=kind == ApplicantKind.ORGANISATION,
                name=data.get("applicant_name") or "",
                id_number=data.get("applicant_id_number") or "",
                birth_date=data.get("applicant_birth_date"),
                phone=data.get("applicant_phone") or "",
                email=data.get("applicant_email") or "",
                representative_name=data.get("representative_name") or "",
                representative_id_number=data.get("representative_id_number") or "",
                representative_phone=data.get("representative_phone") or "",
            )
        )
        for field, message in errors.items():
            if field not in self.errors:
                self.add_error(field, message)
        for field, value in cleaned.items():
            if field in data and field not in self.errors:
                data[field] = value
        if (
            kind == ApplicantKind.PERSON
            and data.get("applicant_birth_date") is None
            and "applicant_birth_date" not in self.errors
        ):
            self.add_error("applicant_birth_date", _("Vui lòng nhập ngày sinh của người nộp."))
        for doc in self.documents:
            try:
                data[f"doc_{doc.pk}_file"] = upload_check(data.get(f"doc_{doc.pk}_file"))
            except forms.ValidationError as exc:
                self.add_error(f"doc_{doc.pk}_file", exc)
        return data

    def applicant(self) -> services.ApplicantData:
        d = self.cleaned_data
        return services.ApplicantData(
            name=d["applicant_name"],
            kind=d["applicant_kind"],
            id_number=d["applicant_id_number"],
            birth_date=d.get("applicant_birth_date"),
            phone=d.get("applicant_phone", ""),
            email=d.get("applicant_email", ""),
            address=d.get("applicant_address", ""),
            representative_name=d.get("representative_name", ""),
            representative_id_number=d.get("representative_id_number", ""),
            representative_phone=d.get("representative_phone", ""),
        )

    def components(self) -> list[services.ComponentData]:
        items = []
        for doc in self.documents:
            paper = bool(self.cleaned_data.get(f"doc_{doc.pk}_paper"))
            upload = self.cleaned_data.get(f"doc_{doc.pk}_file")
            if paper or upload:
                items.append(services.ComponentData(document_id=doc.pk, paper_presented=paper, file=upload))
        # Papers outside the catalogue's list, named by the officer (the only ones when it lists none).
        items.extend(
            services.ComponentData(name=name[:500], paper_presented=True)
            for name in _lines(self.cleaned_data.get("other_components", ""))
        )
        return items

    def requested_items(self) -> list[services.RequestedItem]:
        """Form 02's list: the required documents not brought, then what the officer added."""
        missing = services.intake_missing_items(self.procedure, self.components())
        extra = [
            services.RequestedItem(name=line[:500])
            for line in _lines(self.cleaned_data.get("notice_items", ""))
        ]
        return missing + extra

    def document_field(self, order: int) -> str | None:
        """The checklist field of the catalogue document numbered ``order`` (engine errors point at it)."""
        for doc in self.documents:
            if doc.order == order:
                return f"doc_{doc.pk}_paper"
        return None


# --------------------------------------------------------------------------------------------------
# Ledger (form 06)
# --------------------------------------------------------------------------------------------------


class LedgerForm(forms.Form):
    unit = ObjectChoiceField(
        label=_("Đơn vị"),
        label_from=_unit_name,
        error_messages=REQUIRED,
        invalid_choice=_("Bạn không quản lý đơn vị này."),
    )
    tu = forms.DateField(
        label=_("Từ ngày"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={**REQUIRED, "invalid": _("Ngày không hợp lệ.")},
    )
    den = forms.DateField(
        label=_("Đến ngày"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={**REQUIRED, "invalid": _("Ngày không hợp lệ.")},
    )

    def __init__(self, *args: Any, units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        object_field(self, "unit").set_objects({u.pk: u for u in units})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("tu"), data.get("den")
        if start and end:
            if end < start:
                self.add_error("den", _("Ngày kết thúc phải sau ngày bắt đầu."))
            elif end - start >= timedelta(days=LEDGER_MAX_DAYS):
                self.add_error(
                    "den", gettext("Mỗi lần in sổ theo dõi tối đa %(days)s ngày.") % {"days": LEDGER_MAX_DAYS}
                )
        return data


def field_choices() -> list[tuple[int, str]]:
    return list(Field.objects.order_by("name").values_list("pk", "name"))

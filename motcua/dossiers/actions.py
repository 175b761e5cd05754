"""The dossier action registry — danh mục thao tác xử lý hồ sơ.

Each action on an existing dossier (``rules.Action``) is declared here once, as an ``ActionSpec``:
its input schema (its own fields plus ``row_version``; unknown fields are refused), the service it
calls, how references in the input are resolved (usernames → accounts, agency codes → units,
document order numbers → catalogue documents), its Vietnamese label, who sees it, how channels
present it, and how its domain errors map to answers.

Every channel — the API, the back office, later the portal and the kiosk — dispatches through
``action_perform``, so an action reads, checks and behaves the same wherever it is taken. Whether an
action is *possible* now stays the rule table's (``rules`` / ``selectors.dossier_allowed_actions``);
the registry only says what the action needs and how it is shown.

Receipt and submission are not here: they create a dossier rather than act on one.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Literal, TypeVar, cast

import pydantic
from django.core.files import File
from django.core.files.base import ContentFile
from django.utils import timezone
from ninja import Field, Schema

from motcua.accounts.models import Account
from motcua.catalog.models import Procedure
from motcua.core.api_errors import error_body, validation_messages
from motcua.core.orm import PreparedQuery
from motcua.core.translation import pgettext_noop
from motcua.dossiers import rules, selectors, services
from motcua.dossiers.errors import (
    DossierActionNotAllowed,
    DossierConflict,
    DossierError,
    DossierInvalid,
    DossierPermissionDenied,
)
from motcua.dossiers.models import Dossier
from motcua.dossiers.rules import Action
from motcua.org.models import Role, Unit

# --------------------------------------------------------------------------------------------------
# Input schemas
# --------------------------------------------------------------------------------------------------


class ActionIn(Schema):
    """Base of every action's body: the version of the dossier the caller saw, nothing unknown."""

    model_config = pydantic.ConfigDict(extra="forbid")

    row_version: int = Field(ge=0, description="Phiên bản hồ sơ người gọi đã xem (chống ghi đè)")


class ComponentIn(Schema):
    """A component (thành phần hồ sơ): a catalogue document by its order number, or an extra one by name.

    Files are not sent as JSON; ``paper_presented`` marks a paper original shown. A channel with
    uploads passes the file beside the data (``action_perform(files=…)``).
    """

    model_config = pydantic.ConfigDict(extra="forbid")

    document_order: int | None = Field(None, ge=1, description="Số thứ tự giấy tờ trong danh mục thủ tục")
    name: str = Field("", max_length=500)
    paper_presented: bool = False


class RequestedItemIn(Schema):
    """A document or fact the applicant must supplement (mục cần bổ sung)."""

    model_config = pydantic.ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=500)
    note: str = Field("", max_length=1000)


class FeeIn(Schema):
    """A fee or charge to pay (khoản phí, lệ phí)."""

    model_config = pydantic.ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=500)
    amount_vnd: int = Field(gt=0)


def _text(description: str) -> str:
    return Field("", max_length=2000, description=description)


def _username(description: str) -> str | None:
    return Field(None, max_length=150, description=description)


class AcceptIn(ActionIn):
    """Tiếp nhận hồ sơ: no fields besides the version."""


class ClaimIn(ActionIn):
    """Nhận xử lý bước hiện tại (from the unit pool)."""


class RefuseIn(ActionIn):
    """Từ chối tiếp nhận."""

    reason: str = _text("Lý do từ chối tiếp nhận (bắt buộc)")


class RejectIn(ActionIn):
    """Từ chối giải quyết (at the decision step)."""

    reason: str = _text("Lý do từ chối giải quyết (bắt buộc)")


class WithdrawIn(ActionIn):
    """Rút hồ sơ theo yêu cầu công dân."""

    reason: str = _text("Lý do rút hồ sơ (bắt buộc)")


class StopIn(ActionIn):
    """Dừng xử lý."""

    reason: str = _text("Lý do dừng xử lý (bắt buộc)")


class ReassignIn(ActionIn):
    """Phân công lại bước hiện tại cho cán bộ khác."""

    assignee: str | None = _username("Tên đăng nhập của cán bộ được phân công (bắt buộc)")
    reason: str = _text("Lý do phân công lại (bắt buộc)")


class ForwardIn(ActionIn):
    """Chuyển bước tiếp theo; without ``assignee`` the next step goes to its unit's pool."""

    assignee: str | None = _username("Tên đăng nhập của cán bộ xử lý bước tiếp theo")
    note: str = _text("Ghi chú, ý kiến")


class SendBackIn(ActionIn):
    """Trả lại bước trước (the previous step, or the one named by ``to_step_order``)."""

    reason: str = _text("Lý do trả lại (bắt buộc)")
    to_step_order: int | None = Field(
        None, ge=1, description="Số thứ tự bước nhận lại (mặc định bước liền trước)"
    )


class TransferIn(ActionIn):
    """Chuyển liên thông sang đơn vị khác."""

    to_unit: str | None = Field(None, max_length=40, description="Mã định danh đơn vị nhận liên thông")
    reason: str = _text("Nội dung đề nghị phối hợp (bắt buộc)")
    assignee: str | None = _username("Tên đăng nhập của cán bộ nhận tại đơn vị phối hợp")
    role: Role = Field(Role.SPECIALIST, description="Vai trò xử lý tại đơn vị phối hợp")


class TransferBackIn(ActionIn):
    """Trả hồ sơ liên thông về đơn vị chuyển."""

    note: str = _text("Kết quả xử lý liên thông")


class RequestSupplementIn(ActionIn):
    """Yêu cầu bổ sung hồ sơ (the clock stops)."""

    items: list[RequestedItemIn] = Field(default_factory=list, max_length=100)
    reason: str = _text("Lý do yêu cầu bổ sung (bắt buộc)")


class ReceiveSupplementIn(ActionIn):
    """Nhận hồ sơ bổ sung (the clock restarts)."""

    components: list[ComponentIn] = Field(default_factory=list, max_length=100)
    note: str = _text("Ghi chú")


class RequestPaymentIn(ActionIn):
    """Yêu cầu thực hiện nghĩa vụ tài chính."""

    fees: list[FeeIn] = Field(default_factory=list, max_length=50)
    reason: str = _text("Nội dung")


class RecordPaymentIn(ActionIn):
    """Xác nhận đã thực hiện nghĩa vụ tài chính."""

    reference: str = Field("", max_length=255, description="Số biên lai, chứng từ")


class ApproveIn(ActionIn):
    """Phê duyệt (at the decision step)."""

    note: str = _text("Ý kiến phê duyệt")


class RecordSignatureIn(ActionIn):
    """Ghi nhận ký số trên kết quả giải quyết."""

    signer: str | None = _username("Tên đăng nhập của lãnh đạo ký (bắt buộc)")
    signature_reference: str = Field("", max_length=255, description="Số, ký hiệu văn bản / mã chữ ký")
    result_file_base64: str | None = Field(
        None,
        description="Tệp kết quả đã ký số (PDF; ảnh JPEG/PNG được chuyển thành PDF), mã hoá base64 — "
        "bắt buộc với hồ sơ nộp trực tuyến. Kênh có tải tệp (multipart) gửi tệp ``result_file`` thay vào đó.",
    )
    result_file_name: str = Field("", max_length=200, description="Tên tệp kết quả (ví dụ QD-123.pdf)")


class MarkResultReadyIn(ActionIn):
    """Hoàn thành xử lý, chuyển trả kết quả."""

    note: str = _text("Ghi chú")


class ReturnResultIn(ActionIn):
    """Trả kết quả cho người nộp."""

    method: Literal["counter", "postal", "online"] = Field(
        "counter", description="counter: tại quầy · postal: bưu chính công ích · online: kho dữ liệu điện tử"
    )
    note: str = _text("Ghi chú")


class ExtendIn(ActionIn):
    """Gia hạn, xin lỗi và hẹn lại ngày trả kết quả (once per dossier)."""

    new_due_at: datetime | None = Field(
        None, description="Ngày giờ hẹn trả mới (bắt buộc; không có múi giờ: giờ Việt Nam)"
    )
    reason: str = _text("Lý do xin lỗi, hẹn lại (bắt buộc)")


# --------------------------------------------------------------------------------------------------
# References in the input
# --------------------------------------------------------------------------------------------------


# Forwards and signatures name an official: compiled once per connection (``core.orm.PreparedQuery``);
# no ORDER BY (the username is unique).
_ACTIVE_ACCOUNT: PreparedQuery[Account] = PreparedQuery(
    lambda p: Account.objects.filter(username=p["username"], is_active=True).order_by(),
    {"username": "\x00username\x00"},
)


def account_by_username(username: str | None, *, field: str) -> Account | None:
    """The active account named ``username`` (None for no name); ``DossierInvalid`` on ``field`` if none."""
    if not username:
        return None
    user = _ACTIVE_ACCOUNT.one(username=username)
    if user is None:
        raise DossierInvalid({field: f"Không có cán bộ có tên đăng nhập «{username}»."})
    return user


def unit_by_agency_code(agency_code: str, *, field: str, stamp: str | None = None) -> Unit:
    """The active unit with this electronic code (mã định danh); ``DossierInvalid`` on ``field`` if none."""
    unit = selectors.unit_for_receipt(agency_code=agency_code, stamp=stamp)
    if unit is None:
        raise DossierInvalid({field: f"Không có đơn vị đang hoạt động mã định danh «{agency_code}»."})
    return unit


def components_resolve(
    procedure: Procedure,
    items: Sequence[ComponentIn],
    *,
    files: Mapping[str, File] | None = None,
    field: str = "components",
) -> list[services.ComponentData]:
    """Components by catalogue order number or by name; item ``i``'s upload is ``files["components.i"]``."""
    files = files or {}
    by_order = {doc.order: doc.pk for doc in procedure.documents.all()}
    result = []
    for index, item in enumerate(items):
        upload = files.get(f"{field}.{index}")
        if item.document_order is None:
            result.append(
                services.ComponentData(name=item.name, paper_presented=item.paper_presented, file=upload)
            )
        elif item.document_order in by_order:
            result.append(
                services.ComponentData(
                    document_id=by_order[item.document_order],
                    paper_presented=item.paper_presented,
                    file=upload,
                )
            )
        else:
            raise DossierInvalid(
                {field: f"Thủ tục không có giấy tờ số thứ tự {item.document_order} trong danh mục."}
            )
    return result


# --------------------------------------------------------------------------------------------------
# Specs
# --------------------------------------------------------------------------------------------------


class Audience(StrEnum):
    """Who is offered an action (the rule table still decides whether *they* may take it now)."""

    OFFICIAL = "official"  # cán bộ of the dossier's units
    APPLICANT = "applicant"  # người nộp, through the portal or a kiosk


OFFICIALS = frozenset({Audience.OFFICIAL})
OFFICIALS_AND_APPLICANT = frozenset({Audience.OFFICIAL, Audience.APPLICANT})


@dataclass(frozen=True)
class ErrorAnswer:
    """How a channel answers a domain error: HTTP status and stable code (the message is the error's)."""

    status: int
    code: str


# The one mapping of the engine's errors to answers; an action may override it (``ActionSpec.errors``).
DEFAULT_ERROR_ANSWERS: Mapping[type[DossierError], ErrorAnswer] = {
    DossierConflict: ErrorAnswer(409, "conflict"),
    DossierActionNotAllowed: ErrorAnswer(409, "action_not_allowed"),
    DossierPermissionDenied: ErrorAnswer(403, "permission_denied"),
    DossierInvalid: ErrorAnswer(400, "invalid"),
}
_UNKNOWN_ERROR = ErrorAnswer(400, "error")


@dataclass(frozen=True)
class ActionContext:
    """What an action's argument builder may use besides its body."""

    actor: Account
    dossier: Dossier
    files: Mapping[str, File]


# body (the action's own schema) → the service's keyword arguments besides actor, dossier, row_version.
ArgumentsBuilder = Callable[[ActionIn, ActionContext], Mapping[str, object]]


def own_fields(body: ActionIn, context: ActionContext) -> Mapping[str, object]:
    """The default builder: the body's fields, as they are, are the service's arguments."""
    return {name: getattr(body, name) for name in type(body).model_fields if name != "row_version"}


# An extension's own permission rule: why ``actor`` may not take the action (None when they may).
PermissionRule = Callable[[Account, Dossier], str | None]


@dataclass(frozen=True)
class ActionSpec:
    """One action, declared once for every channel.

    The engine's actions are ``rules.Action`` values. An extension registers its own
    (``action_register``) under a new name with ``rule`` naming the engine action whose state rule it
    shares (when it is possible), and optionally its own ``permission`` (who may take it) in place of
    that action's.
    """

    action: str
    label: str  # tên thao tác: buttons, messages, the event timeline, the API summary
    schema: type[ActionIn]
    service: Callable[..., Dossier]  # services.dossier_<verb>(actor=, dossier=, row_version=, **arguments)
    arguments: ArgumentsBuilder = own_fields
    audience: frozenset[Audience] = OFFICIALS
    one_click: bool = False  # needs nothing but the click (a plain button, no form)
    dangerous: bool = False  # ends or blocks the dossier: shown apart, in red
    # The wording of the officials' training material, where it is shorter than the label.
    button_label: str = ""
    errors: Mapping[type[DossierError], ErrorAnswer] = field(default_factory=dict)
    rule: Action | None = None  # the engine action whose rules apply; None: ``action`` itself
    permission: PermissionRule | None = None

    @property
    def rule_action(self) -> Action:
        return self.rule if self.rule is not None else Action(self.action)

    def refusal(self, *, actor: Account, dossier: Dossier, now: datetime) -> str | None:
        """Why the action is impossible now (the rule table's state rule, then who): None when possible."""
        message = rules.state_error(self.rule_action, dossier, now=now)
        if message is None:
            if self.permission is not None:
                message = self.permission(actor, dossier)
            else:
                message = rules.permission_error(self.rule_action, actor, dossier)
        return message

    @property
    def button(self) -> str:
        return self.button_label or self.label

    def error_answer(self, exc: DossierError) -> ErrorAnswer:
        return error_answer(exc, overrides=self.errors)


def error_answer(
    exc: DossierError, *, overrides: Mapping[type[DossierError], ErrorAnswer] | None = None
) -> ErrorAnswer:
    """The answer to a domain error: the most specific class in ``overrides``, then in the defaults."""
    for cls in type(exc).__mro__:
        if overrides and cls in overrides:
            return overrides[cls]
        if cls in DEFAULT_ERROR_ANSWERS:
            return DEFAULT_ERROR_ANSWERS[cls]
    return _UNKNOWN_ERROR


def error_response(exc: DossierError, *, spec: ActionSpec | None = None) -> tuple[int, dict[str, object]]:
    """(HTTP status, ``core.api_errors.ErrorOut`` body) of a domain error, for any HTTP channel."""
    answer = spec.error_answer(exc) if spec is not None else error_answer(exc)
    body = error_body(
        answer.status,
        exc.message,
        code=answer.code,
        errors=exc.errors if isinstance(exc, DossierInvalid) else None,
        current_version=exc.current_version if isinstance(exc, DossierConflict) else None,
    )
    return answer.status, body


def _assignee(body: ForwardIn | ReassignIn | TransferIn) -> Account | None:
    return account_by_username(body.assignee, field="assignee")


def _reassign_arguments(body: ReassignIn, context: ActionContext) -> Mapping[str, object]:
    return {"assignee": _assignee(body), "reason": body.reason}


def _forward_arguments(body: ForwardIn, context: ActionContext) -> Mapping[str, object]:
    return {"assignee": _assignee(body), "note": body.note}


def _transfer_arguments(body: TransferIn, context: ActionContext) -> Mapping[str, object]:
    if not body.to_unit:
        raise DossierInvalid({"to_unit": "Vui lòng chọn đơn vị nhận hồ sơ liên thông."})
    return {
        "to_unit": unit_by_agency_code(body.to_unit, field="to_unit"),
        "reason": body.reason,
        "assignee": _assignee(body),
        "role": body.role,
    }


def _request_supplement_arguments(body: RequestSupplementIn, context: ActionContext) -> Mapping[str, object]:
    return {"items": [services.RequestedItem(i.name, i.note) for i in body.items], "reason": body.reason}


def _receive_supplement_arguments(body: ReceiveSupplementIn, context: ActionContext) -> Mapping[str, object]:
    components = components_resolve(context.dossier.procedure, body.components, files=context.files)
    return {"components": components, "note": body.note}


def _request_payment_arguments(body: RequestPaymentIn, context: ActionContext) -> Mapping[str, object]:
    return {"fees": [services.FeeData(f.name, f.amount_vnd) for f in body.fees], "reason": body.reason}


def _record_signature_arguments(body: RecordSignatureIn, context: ActionContext) -> Mapping[str, object]:
    result_file = context.files.get("result_file")
    if result_file is None and body.result_file_base64:
        try:
            content = base64.b64decode(body.result_file_base64, validate=True)
        except (binascii.Error, ValueError):
            raise DossierInvalid(
                {"result_file_base64": "Tệp kết quả không phải chuỗi base64 hợp lệ."}
            ) from None
        result_file = ContentFile(content, name=os.path.basename(body.result_file_name) or "ket-qua.pdf")
    return {
        "signer": account_by_username(body.signer, field="signer"),
        "signature_reference": body.signature_reference,
        "result_file": result_file,
    }


def _extend_arguments(body: ExtendIn, context: ActionContext) -> Mapping[str, object]:
    if body.new_due_at is None:
        raise DossierInvalid({"new_due_at": "Vui lòng chọn ngày giờ hẹn trả mới."})
    value = body.new_due_at
    # A time without zone is Vietnamese local time, as officials and citizens read it.
    return {
        "new_due_at": timezone.make_aware(value) if timezone.is_naive(value) else value,
        "reason": body.reason,
    }


_In = TypeVar("_In", bound=ActionIn)


def _builder(function: Callable[[_In, ActionContext], Mapping[str, object]]) -> ArgumentsBuilder:
    """A builder typed on its action's own schema, stored beside the others (its spec pairs them)."""
    return cast(ArgumentsBuilder, function)


_SPECS: list[ActionSpec] = [
    ActionSpec(
        Action.ACCEPT,
        pgettext_noop("thao tác", "Tiếp nhận hồ sơ"),
        AcceptIn,
        services.dossier_accept,
        one_click=True,
    ),
    ActionSpec(
        Action.REFUSE,
        pgettext_noop("thao tác", "Từ chối tiếp nhận"),
        RefuseIn,
        services.dossier_refuse,
        dangerous=True,
    ),
    ActionSpec(
        Action.CLAIM, pgettext_noop("thao tác", "Nhận xử lý"), ClaimIn, services.dossier_claim, one_click=True
    ),
    ActionSpec(
        Action.REASSIGN,
        pgettext_noop("thao tác", "Phân công lại"),
        ReassignIn,
        services.dossier_reassign,
        arguments=_builder(_reassign_arguments),
    ),
    ActionSpec(
        Action.FORWARD,
        pgettext_noop("thao tác", "Chuyển bước tiếp theo"),
        ForwardIn,
        services.dossier_forward,
        arguments=_builder(_forward_arguments),
    ),
    ActionSpec(
        Action.SEND_BACK,
        pgettext_noop("thao tác", "Trả lại bước trước"),
        SendBackIn,
        services.dossier_send_back,
    ),
    ActionSpec(
        Action.TRANSFER,
        pgettext_noop("thao tác", "Chuyển liên thông"),
        TransferIn,
        services.dossier_transfer,
        arguments=_builder(_transfer_arguments),
    ),
    ActionSpec(
        Action.TRANSFER_BACK,
        pgettext_noop("thao tác", "Trả hồ sơ liên thông"),
        TransferBackIn,
        services.dossier_transfer_back,
    ),
    ActionSpec(
        Action.REQUEST_SUPPLEMENT,
        pgettext_noop("thao tác", "Yêu cầu bổ sung hồ sơ"),
        RequestSupplementIn,
        services.dossier_request_supplement,
        arguments=_builder(_request_supplement_arguments),
    ),
    ActionSpec(
        Action.RECEIVE_SUPPLEMENT,
        pgettext_noop("thao tác", "Nhận hồ sơ bổ sung"),
        ReceiveSupplementIn,
        services.dossier_receive_supplement,
        arguments=_builder(_receive_supplement_arguments),
        audience=OFFICIALS_AND_APPLICANT,
    ),
    ActionSpec(
        Action.REQUEST_PAYMENT,
        pgettext_noop("thao tác", "Yêu cầu thực hiện nghĩa vụ tài chính"),
        RequestPaymentIn,
        services.dossier_request_payment,
        arguments=_builder(_request_payment_arguments),
    ),
    ActionSpec(
        Action.RECORD_PAYMENT,
        pgettext_noop("thao tác", "Xác nhận đã thực hiện nghĩa vụ tài chính"),
        RecordPaymentIn,
        services.dossier_record_payment,
    ),
    ActionSpec(Action.APPROVE, pgettext_noop("thao tác", "Phê duyệt"), ApproveIn, services.dossier_approve),
    ActionSpec(
        Action.REJECT,
        pgettext_noop("thao tác", "Từ chối giải quyết"),
        RejectIn,
        services.dossier_reject,
        dangerous=True,
    ),
    ActionSpec(
        Action.RECORD_SIGNATURE,
        pgettext_noop("thao tác", "Ghi nhận ký số"),
        RecordSignatureIn,
        services.dossier_record_signature,
        arguments=_builder(_record_signature_arguments),
        button_label=pgettext_noop("thao tác", "Ghi nhận chữ ký số"),
    ),
    ActionSpec(
        Action.MARK_RESULT_READY,
        pgettext_noop("thao tác", "Hoàn thành xử lý, chuyển trả kết quả"),
        MarkResultReadyIn,
        services.dossier_mark_result_ready,
        button_label=pgettext_noop("thao tác", "Hoàn thành kết quả"),
    ),
    ActionSpec(
        Action.RETURN_RESULT,
        pgettext_noop("thao tác", "Trả kết quả"),
        ReturnResultIn,
        services.dossier_return_result,
    ),
    ActionSpec(
        Action.WITHDRAW,
        pgettext_noop("thao tác", "Rút hồ sơ theo yêu cầu công dân"),
        WithdrawIn,
        services.dossier_withdraw,
        audience=OFFICIALS_AND_APPLICANT,
        dangerous=True,
    ),
    ActionSpec(
        Action.STOP, pgettext_noop("thao tác", "Dừng xử lý"), StopIn, services.dossier_stop, dangerous=True
    ),
    ActionSpec(
        Action.EXTEND,
        pgettext_noop("thao tác", "Gia hạn, xin lỗi và hẹn lại"),
        ExtendIn,
        services.dossier_extend,
        arguments=_builder(_extend_arguments),
    ),
]
_REGISTRY: dict[str, ActionSpec] = {str(spec.action): spec for spec in _SPECS}


def action_register(spec: ActionSpec) -> None:
    """Add an extension's action to the registry (call it from the extension's ``AppConfig.ready``).

    It is listed right after the engine action whose rule it shares, is offered wherever that rule
    allows it (``action_specs_available``), gets its own API operation
    (``POST /api/v1/dossiers/{code}/actions/<name>``: the API's router reads the registry when the URLs
    are loaded, after every app is ready) and dispatches through ``action_perform`` like the others.
    Its service must check the rule itself (e.g. by calling the engine's service of that action).
    A name already registered is refused: two apps must not silently replace each other's action.
    """
    name = str(spec.action)
    if name in _REGISTRY:
        if _REGISTRY[name] is spec:
            return
        raise ValueError(f"action {name!r} is already registered")
    if spec.rule is None and name not in Action.__members__.values():
        raise ValueError(f"action {name!r}: an extension's action names the engine action whose rule it uses")
    after = max(
        (i for i, s in enumerate(_SPECS) if s.rule_action == spec.rule_action), default=len(_SPECS) - 1
    )
    _SPECS.insert(after + 1, spec)
    _REGISTRY[name] = spec


# --------------------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------------------


def action_specs() -> tuple[ActionSpec, ...]:
    """Every action, in the rule table's order (an extension's after the engine action it builds on)."""
    return tuple(_SPECS)


def action_spec(name: str) -> ActionSpec:
    """The spec of the action called ``name``; ``DossierInvalid`` on ``action`` for an unknown one."""
    spec = _REGISTRY.get(str(name))
    if spec is None:
        known = ", ".join(_REGISTRY)
        raise DossierInvalid({"action": f"Không có thao tác «{name}». Các thao tác: {known}."})
    return spec


def action_label(name: str) -> str:
    return action_spec(name).label


def action_specs_available(*, actor: Account, dossier: Dossier, audience: Audience) -> list[ActionSpec]:
    """The actions ``actor`` may take on ``dossier`` now (the rule table) that are offered to ``audience``."""
    engine = set(selectors.dossier_allowed_actions(user=actor, dossier=dossier))
    now = timezone.now()
    return [
        spec
        for spec in _SPECS
        if audience in spec.audience
        and (
            str(spec.action) in engine
            if spec.rule is None
            else rules.can_view(actor, dossier)
            and spec.refusal(actor=actor, dossier=dossier, now=now) is None
        )
    ]


def action_names_allowed(*, actor: Account, dossier: Dossier) -> list[str]:
    """Names of every action ``actor`` may take on ``dossier`` now, the extensions' included (the API)."""
    engine = selectors.dossier_allowed_actions(user=actor, dossier=dossier)
    extra = [spec for spec in _SPECS if spec.rule is not None]
    if not extra or not rules.can_view(actor, dossier):
        return engine
    now = timezone.now()
    allowed = set(engine) | {
        str(spec.action) for spec in extra if spec.refusal(actor=actor, dossier=dossier, now=now) is None
    }
    return [str(spec.action) for spec in _SPECS if str(spec.action) in allowed]


def action_input(spec: ActionSpec, data: Mapping[str, object]) -> ActionIn:
    """``data`` checked against the action's schema; ``DossierInvalid`` (field → Vietnamese message)."""
    try:
        return spec.schema.model_validate(dict(data))
    except pydantic.ValidationError as exc:
        raise DossierInvalid(validation_messages(exc.errors())) from None


def action_perform(
    *,
    action: str,
    actor: Account,
    dossier: Dossier,
    data: Mapping[str, object],
    files: Mapping[str, File] | None = None,
) -> Dossier:
    """Take ``action`` on ``dossier`` with the channel's input ``data`` (including ``row_version``).

    Bad input, an unknown reference or an unknown action raise ``DossierInvalid`` and change nothing;
    the service raises the engine's other errors (map them with ``ActionSpec.error_answer``).
    ``files``: uploads of the channel, keyed by the path of the item they belong to (``components.0``).
    """
    spec = action_spec(action)
    body = action_input(spec, data)
    context = ActionContext(actor=actor, dossier=dossier, files=files or {})
    arguments = spec.arguments(body, context)
    return spec.service(actor=actor, dossier=dossier, row_version=body.row_version, **arguments)

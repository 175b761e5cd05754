"""Build the standard forms (biểu mẫu 01–06, thông báo dừng) from a dossier.

``motcua.documents.forms`` holds frozen dataclasses that know nothing about dossiers; this module fills
them from ``Dossier`` rows. Builders only read (a fixed, small number of queries each, whatever the
number of steps or rows) and never write, so a view can call them on every download and a test can
check their output without rendering a PDF.

A builder returns ``None`` when its form does not apply to the dossier (no supplement was requested,
the dossier was not refused, …): the UI offers only the forms that exist.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q
from django.utils import timezone

from motcua.accounts.models import Account
from motcua.catalog.fees import FeeStatus, vnd
from motcua.catalog.models import ResultTemplate
from motcua.catalog.selectors import procedure_result_template
from motcua.core.text import fold, nfc
from motcua.documents import forms as f
from motcua.documents import results, wording
from motcua.dossiers import deadlines
from motcua.dossiers.models import (
    ApplicantKind,
    Decision,
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierPause,
    DossierState,
    DossierStep,
    IntakeNotice,
    IntakeNoticeKind,
    Outcome,
    PauseReason,
)
from motcua.org.models import COMMITTEE_KINDS, Unit, UnitKind
from motcua.org.selectors import official_display_name, unit_leaders
from motcua.worktime.calendar import format_amount
from motcua.worktime.models import TimeUnit

__all__ = [
    "apology_form_build",
    "intake_notice_form_build",
    "ledger_form_build",
    "process_control_form_build",
    "receipt_form_build",
    "refusal_form_build",
    "result_document_build",
    "stop_notice_form_build",
    "supplement_request_form_build",
]

# Events whose actor received the dossier (the receiver named on form 01).
_RECEIPT_ACTIONS = ("receive", "accept")
_OUTCOMES = {Outcome.EARLY: f.Outcome.EARLY, Outcome.ON_TIME: f.Outcome.ON_TIME, Outcome.LATE: f.Outcome.LATE}
_LEADING_NUMBER = re.compile(r"^\s*0*(\d{1,3})\b")
RETURN_METHOD_LABELS = {
    "counter": "",  # signed on paper at the counter
    "postal": "Nhận qua bưu chính",
    "online": "Nhận trực tuyến",
}


# --------------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------------


def _official_name(user: Account | None) -> str:
    """Full name from the official profile (select_related'd by callers), else the account name."""
    return "" if user is None else official_display_name(user)


def _second(moment: datetime) -> datetime:
    """Whole seconds: the PDF timestamp (typst) rejects microseconds, and forms print minutes anyway."""
    return moment.replace(microsecond=0)


def _issuer(unit: Unit) -> dict[str, Any]:
    parent = unit.parent if unit.parent_id else None
    return {"unit_name": unit.name, "parent_unit_name": parent.name if parent is not None else ""}


def _applicant(dossier: Dossier, *, contact: bool) -> dict[str, Any]:
    """The dossier and its applicant as the forms print them; ``contact`` adds phone and email."""
    fields = {
        "dossier_code": dossier.code,
        "applicant_name": dossier.applicant_name,
        "applicant_address": dossier.applicant_address,
        "procedure_name": dossier.procedure.name,
    }
    if contact:
        fields |= {"applicant_phone": dossier.applicant_phone, "applicant_email": dossier.applicant_email}
    return fields


def _last_event(dossier: Dossier, action: str, **extra: Any) -> DossierEvent | None:
    """The latest ``action`` event of the dossier (further filters in ``extra``), with its actor."""
    return (
        DossierEvent.objects.filter(dossier=dossier, action=action, **extra)
        .select_related("actor__official")
        .order_by("-seq")
        .first()
    )


def _amount_text(amount: Decimal | None) -> str:
    return "" if amount is None else format_amount(amount)


def statutory_time_text(dossier: Dossier) -> str:
    """``03 ngày làm việc`` — the process total of the dossier's process version, as printed on 01."""
    process = dossier.process
    if process.total_unit == TimeUnit.SAME_DAY:
        return "Trong ngày"
    if not process.total_unit or process.total_amount is None:
        if dossier.appointment_reason:
            # The appointment below is the receiving officer's, for this reason (docs/domain.md §6). The
            # reason goes in parentheses: after "ấn định:" the reader expects the date, not the reason.
            reason = dossier.appointment_reason.strip().rstrip(".;")
            return f"Chưa công bố; ngày hẹn trả do cán bộ tiếp nhận ấn định (lý do: {reason})"
        return "Chưa công bố"
    amount = _amount_text(process.total_amount)
    if amount.isdigit():
        amount = f"{int(amount):02d}"
    return f"{amount} {TimeUnit(process.total_unit).label}"


_ORIGINALS = re.compile(r"bản chính\s*:\s*(\d+)")
_COPIES = re.compile(r"bản sao\s*:\s*(\d+)")


def _component_kind_quantity(component: DossierComponent) -> tuple[str, int]:
    """Printed form and count of a component from the catalogue's "copies" text.

    The catalogue writes either "Bản chính: 1, Bản sao: 0" (DVCQG export) or free text such as
    "01 bản sao có chứng thực"; a scan without paper is an electronic copy.
    """
    copies = (component.copies or "").lower()
    if not component.paper_presented and component.file:
        return f.ELECTRONIC_COPY, 1
    originals, duplicates = _ORIGINALS.search(copies), _COPIES.search(copies)
    if originals or duplicates:
        n_original = int(originals.group(1)) if originals else 0
        n_copy = int(duplicates.group(1)) if duplicates else 0
        if n_original > 0:
            return f.ORIGINAL, n_original
        if n_copy > 0:
            return (f.CERTIFIED_COPY if "chứng thực" in copies else f.COPY), n_copy
        return f.ORIGINAL, 1
    match = _LEADING_NUMBER.match(copies)
    quantity = int(match.group(1)) if match and int(match.group(1)) > 0 else 1
    if "chứng thực" in copies:
        return f.CERTIFIED_COPY, quantity
    if "sao" in copies and "bản chính" not in copies:
        return f.COPY, quantity
    return f.ORIGINAL, quantity


def _fee_text(dossier: Dossier) -> str:
    """Item 7 of form 01: the fee due as snapshotted at receipt (and the case it was computed for) —
    never "0 đồng" for an amount that is not published, never the sum of alternatives. The lines and
    why they apply are on the dossier page and in the API (``fee_explanation``)."""
    if not dossier.fee_status and dossier.fees_total <= 0:  # received before the fee rules
        return "Không"
    # "7. Phí, lệ phí: 50.000 đồng" — the label already says it is due.
    text = vnd(dossier.fees_total) if dossier.fee_status == FeeStatus.DUE else dossier.fee_summary
    if dossier.fee_case:
        text += f" ({dossier.fee_case})"
    return text + (" (đã nộp)" if dossier.fees_paid and dossier.fees_total else "")


def _return_place(unit: Unit) -> str:
    """The unit's name and address, without the parts of the address its name already says
    ("Trung tâm … phường Hạ Long, tỉnh Quảng Ninh", not "…, Phường Hạ Long, tỉnh Quảng Ninh")."""
    name = unit.name.casefold()
    parts = [p.strip() for p in unit.address.split(",") if p.strip() and p.strip().casefold() not in name]
    return ", ".join([unit.name, *parts])


def _ledger_scope(unit: Unit) -> Q:
    """Dossiers entered in ``unit``'s ledger: received at it, or for it as the competent unit."""
    return Q(receiving_unit=unit) | Q(competent_unit=unit)


def _book_start(moment: datetime) -> datetime:
    """Local midnight of 1 January of ``moment``'s year: a ledger book (quyển sổ) is one calendar year."""
    return _local_midnight(date(int(deadlines.local_date(moment)[:4]), 1, 1))


def _ledger_number(dossier: Dossier) -> str:
    """Entry number of ``dossier`` in its receiving unit's ledger book: numbered on through the year.

    The code's own sequence restarts every day, so it cannot be the ledger's số thứ tự; this counts
    the dossiers entered before it (one query), in the order the ledger prints them.
    """
    assert dossier.received_at is not None
    at = dossier.received_at
    earlier = (
        Dossier.objects.filter(_ledger_scope(dossier.receiving_unit))
        .filter(received_at__gte=_book_start(at))
        .filter(Q(received_at__lt=at) | Q(received_at=at, pk__lt=dossier.pk))
        .count()
    )
    return str(earlier + 1)


def _signer(user: Account | None, default_title: str) -> tuple[str, str]:
    """(title, name) for a signature block: the official's own title when they have one."""
    if user is None:
        return default_title, ""
    official = getattr(user, "official", None)
    title = str(official.title) if official is not None and official.title else default_title
    return title, _official_name(user)


# --------------------------------------------------------------------------------------------------
# 01 — Giấy tiếp nhận hồ sơ và hẹn trả kết quả
# --------------------------------------------------------------------------------------------------


def receipt_form_build(*, dossier: Dossier, tracking_url: str) -> f.ReceiptForm:
    """Form 01 for a received dossier (three queries: components, the receipt event, the ledger number).

    ``tracking_url`` is the absolute URL of the public tracking page, printed and encoded in the QR.
    A procedure without a published time has no appointment: the receipt time is printed instead
    (the form requires one) and the statutory time reads "Chưa công bố".
    Raises ``ValueError`` for a dossier that was never received (still status 1, or refused).
    """
    if dossier.received_at is None:
        raise ValueError("Hồ sơ chưa được tiếp nhận nên chưa có giấy tiếp nhận.")
    components = list(dossier.components.filter(is_supplement=False).order_by("order"))
    receipt = (
        DossierEvent.objects.filter(dossier=dossier, action__in=_RECEIPT_ACTIONS)
        .order_by("seq")
        .values_list("actor_name", flat=True)
        .first()
    )
    presented = [c for c in components if c.paper_presented or c.file]
    unit = dossier.receiving_unit
    return f.ReceiptForm(
        **_issuer(unit),
        **_applicant(dossier, contact=True),
        components=[
            f.FormComponent(name=c.name, kind=kind, quantity=quantity)
            for c in presented
            for kind, quantity in [_component_kind_quantity(c)]
        ],
        statutory_time_text=statutory_time_text(dossier),
        received_at=_second(dossier.received_at),
        appointment_at=_second(dossier.due_at or dossier.received_at),
        return_place=_return_place(unit),
        fee_text=_fee_text(dossier),
        ledger_book=f"{deadlines.local_date(dossier.received_at)[:4]}",
        ledger_number=_ledger_number(dossier),
        receiver_name=receipt or "",
        submitter_name=dossier.representative_name,
        tracking_url=tracking_url,
    )


# --------------------------------------------------------------------------------------------------
# 02 — Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ
# --------------------------------------------------------------------------------------------------


def supplement_request_form_build(*, dossier: Dossier) -> f.SupplementRequestForm | None:
    """Form 02 for the latest supplement request, or None if none was made (two queries)."""
    pause = (
        DossierPause.objects.filter(dossier=dossier, reason=PauseReason.SUPPLEMENT)
        .order_by("-started_at")
        .first()
    )
    if pause is None:
        return None
    event = _last_event(dossier, "request_supplement", at=pause.started_at)
    actor = event.actor if event is not None else None
    items = [
        f.SupplementItem(content=str(item.get("name", "")), reason=str(item.get("note", "")) or pause.note)
        for item in pause.items
        if item.get("name")
    ] or [f.SupplementItem(content=pause.note or "Hoàn thiện hồ sơ")]
    official = getattr(actor, "official", None) if actor is not None else None
    contact = _official_name(actor) or (event.actor_name if event is not None else "")
    unit = dossier.receiving_unit
    return f.SupplementRequestForm(
        **_issuer(unit),
        issued_at=_second(pause.started_at),
        **_applicant(dossier, contact=True),
        received_at=dossier.received_at,
        items=items,
        contact_name=contact or "Bộ phận tiếp nhận và trả kết quả",
        contact_phone=(official.phone if official is not None else "") or unit.phone,
        contact_place=_return_place(unit),
        signer_name=contact,
    )


# --------------------------------------------------------------------------------------------------
# 03 — Phiếu từ chối tiếp nhận, giải quyết hồ sơ
# --------------------------------------------------------------------------------------------------


def refusal_form_build(*, dossier: Dossier) -> f.RefusalForm | None:
    """Form 03 when receipt was refused (reception) or the request rejected (decision), else None."""
    if dossier.state == DossierState.REFUSED:
        # Refused at reception: issued by the receiving centre, signed as the receiving officer.
        return _refusal_form(
            dossier=dossier,
            action="refuse",
            issuer=dossier.receiving_unit,
            received_at=dossier.submitted_at,
            default_reason="Hồ sơ không đủ điều kiện tiếp nhận.",
            signer_title="Người tiếp nhận hồ sơ",
        )
    if dossier.decision == Decision.REJECTED:
        # Rejected on appraisal: issued by the competent unit, signed by the deciding leader.
        return _refusal_form(
            dossier=dossier,
            action="reject",
            issuer=dossier.competent_unit,
            received_at=dossier.received_at,
            default_reason="Hồ sơ không đủ điều kiện giải quyết.",
            signer_title=None,
        )
    return None


def _refusal_form(
    *,
    dossier: Dossier,
    action: str,
    issuer: Unit,
    received_at: datetime | None,
    default_reason: str,
    signer_title: str | None,
) -> f.RefusalForm:
    """Form 03 from the last ``action`` event; ``signer_title`` None means the signer's own title."""
    event = _last_event(dossier, action)
    actor = event.actor if event is not None else None
    title, name = _signer(actor, signer_title or "Lãnh đạo")
    return f.RefusalForm(
        **_issuer(issuer),
        issued_at=_second(event.at if event is not None else (dossier.finished_at or timezone.now())),
        **_applicant(dossier, contact=True),
        received_at=received_at,
        reason=dossier.state_reason or default_reason,
        signer_title=signer_title or title,
        signer_name=name or (event.actor_name if event is not None else ""),
    )


# --------------------------------------------------------------------------------------------------
# 02 / 03 at the counter — before the dossier is received
# --------------------------------------------------------------------------------------------------


def intake_notice_form_build(*, notice: IntakeNotice) -> f.SupplementRequestForm | f.RefusalForm:
    """Form 02 (guidance) or 03 (refusal) given at the counter: no dossier code, nothing received.

    One query (the issuing officer's profile) beyond the notice with its unit and procedure.
    """
    unit = notice.unit
    actor = Account.objects.select_related("official").filter(pk=notice.actor_id).first()
    title, name = _signer(actor, "Người tiếp nhận hồ sơ")
    name = name or notice.actor_name
    applicant: dict[str, Any] = {
        "dossier_code": "",
        "applicant_name": notice.applicant_name,
        "applicant_address": notice.applicant_address,
        "applicant_phone": notice.applicant_phone,
        "applicant_email": notice.applicant_email,
        "procedure_name": notice.procedure.name,
    }
    if notice.kind == IntakeNoticeKind.REFUSAL:
        return f.RefusalForm(
            **_issuer(unit),
            issued_at=_second(notice.issued_at),
            **applicant,
            received_at=_second(notice.issued_at),
            reason=notice.reason,
            signer_title="Người tiếp nhận hồ sơ",
            signer_name=name,
        )
    official = getattr(actor, "official", None) if actor is not None else None
    return f.SupplementRequestForm(
        **_issuer(unit),
        issued_at=_second(notice.issued_at),
        **applicant,
        items=[
            f.SupplementItem(content=str(item.get("name", "")), reason=str(item.get("note", "")))
            for item in notice.items
            if item.get("name")
        ]
        or [f.SupplementItem(content=notice.reason or "Hoàn thiện hồ sơ")],
        contact_name=name or "Bộ phận tiếp nhận và trả kết quả",
        contact_phone=(official.phone if official is not None else "") or unit.phone,
        contact_place=_return_place(unit),
        deadline_note=f.INTAKE_SUPPLEMENT_DEADLINE_NOTE,
        signer_title="Người hướng dẫn" if title == "Người tiếp nhận hồ sơ" else title,
        signer_name=name,
    )


# --------------------------------------------------------------------------------------------------
# 04 — Phiếu xin lỗi và hẹn lại ngày trả kết quả
# --------------------------------------------------------------------------------------------------


def apology_form_build(*, dossier: Dossier) -> f.ApologyForm | None:
    """Form 04 for an extended dossier (two queries: the extension, the unit's leader), else None."""
    if not dossier.extended or dossier.due_at is None or dossier.received_at is None:
        return None
    event = _last_event(dossier, "extend")
    original = dossier.original_due_at
    if event is not None and event.data.get("old_due_at"):
        original = datetime.fromisoformat(str(event.data["old_due_at"]))
    if original is None:
        return None
    # TT 01/2018 (Mẫu 04): the apology is signed by the head of the unit that let the dossier run late,
    # not by the specialist who recorded the extension. Without a leader on record the title names the
    # unit and the name is left for the signer to write.
    unit = dossier.competent_unit
    leader = unit_leaders(unit=unit).first()
    title = (leader.title if leader is not None else "") or f"Lãnh đạo {unit.name}"
    return f.ApologyForm(
        **_issuer(dossier.competent_unit),
        issued_at=_second(dossier.extended_at or (event.at if event is not None else timezone.now())),
        **_applicant(dossier, contact=False),
        received_at=dossier.received_at,
        original_appointment_at=original,
        new_appointment_at=dossier.due_at,
        reason=dossier.extension_reason,
        responsible_unit_name=dossier.current_unit.name,
        signer_title=title,
        signer_name=leader.full_name if leader is not None else "",
    )


# --------------------------------------------------------------------------------------------------
# 05 — Phiếu kiểm soát quá trình giải quyết hồ sơ
# --------------------------------------------------------------------------------------------------


def process_control_rows(steps: list[DossierStep], *, dossier: Dossier) -> list[f.ProcessControlRow]:
    """One row per hand-over: who gave the dossier to whom, when, and the step's outcome."""
    rows = []
    previous: DossierStep | None = None
    for step in steps:
        if previous is None:
            giver_unit, giver_name = "Người nộp hồ sơ", dossier.applicant_name
        else:
            giver_unit = previous.unit.name
            giver_name = _official_name(step.handed_over_by) or _official_name(previous.finished_by)
        receiver = _official_name(step.assignee) or (
            _official_name(step.finished_by) if step.finished_by_id else "Chờ cán bộ nhận xử lý"
        )
        rows.append(
            f.ProcessControlRow(
                step_name=step.name,
                giver_unit=giver_unit,
                giver_name=giver_name or "Hệ thống",
                given_at=step.started_at,
                receiver_unit=step.unit.name,
                receiver_name=receiver,
                received_at=step.started_at,
                outcome=_OUTCOMES.get(Outcome(step.outcome)) if step.outcome else None,
                note=step.note,
            )
        )
        previous = step
    return rows


def process_control_form_build(*, dossier: Dossier) -> f.ProcessControlForm | None:
    """Form 05 for a received dossier (one query for the steps with their officials), else None."""
    if dossier.received_at is None:
        return None
    steps = list(
        DossierStep.objects.filter(dossier=dossier)
        .select_related("unit", "assignee__official", "handed_over_by__official", "finished_by__official")
        .order_by("seq")
    )
    coordinating = sorted(
        {
            step.unit.name
            for step in steps
            if step.process_step_id is None and step.unit_id != dossier.competent_unit_id
        }
    )
    return f.ProcessControlForm(
        **_issuer(dossier.receiving_unit),
        issued_at=_second(dossier.received_at),
        dossier_code=dossier.code,
        applicant_name=dossier.applicant_name,
        procedure_name=dossier.procedure.name,
        received_at=dossier.received_at,
        appointment_at=dossier.due_at or dossier.received_at,
        handling_unit_name=dossier.competent_unit.name,
        coordinating_unit_names=coordinating,
        rows=process_control_rows(steps, dossier=dossier),
    )


# --------------------------------------------------------------------------------------------------
# 06 — Sổ theo dõi hồ sơ
# --------------------------------------------------------------------------------------------------

# A year of a busy centre is a few thousand rows; beyond that the PDF becomes unwieldy.
LEDGER_MAX_DAYS = 366


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=deadlines.local_zone())


def ledger_dossiers(*, unit: Unit, start: date, end: date) -> list[Dossier]:
    """Dossiers received (at or for) ``unit`` on local days ``start``…``end``, oldest first (3 queries)."""
    since, until = _local_midnight(start), _local_midnight(end + timedelta(days=1))
    return list(
        Dossier.objects.filter(_ledger_scope(unit))
        .filter(received_at__gte=since, received_at__lt=until)
        .select_related("procedure", "competent_unit")
        .prefetch_related(
            Prefetch(
                "steps", queryset=DossierStep.objects.order_by("seq").only("dossier_id", "seq", "finished_at")
            ),
            Prefetch(
                "events",
                queryset=DossierEvent.objects.filter(action="return_result").only(
                    "dossier_id", "data", "seq"
                ),
                to_attr="return_events",
            ),
        )
        .order_by("received_at", "pk")
    )


def _ledger_row(d: Dossier, number: int) -> f.LedgerRow:
    assert d.received_at is not None
    steps = list(d.steps.all())
    # The dossier leaves the one-stop section when the reception step ends.
    transferred_at = steps[0].finished_at if steps else None
    returned = getattr(d, "return_events", [])
    method = str(returned[-1].data.get("method", "")) if returned else ""
    notes = []
    if d.state in (DossierState.WITHDRAWN, DossierState.STOPPED, DossierState.REFUSED):
        notes.append(DossierState(d.state).label)
    if d.outcome == Outcome.LATE:
        notes.append("Quá hạn")
    return f.LedgerRow(
        number=str(number),
        dossier_code=d.code,
        procedure_name=d.procedure.name,
        applicant_name=d.applicant_name,
        applicant_address=d.applicant_address,
        applicant_phone=d.applicant_phone,
        handling_unit_name=d.competent_unit.name,
        received_at=d.received_at,
        appointment_at=d.due_at,
        transferred_at=transferred_at,
        result_received_at=d.finished_at if d.state != DossierState.WITHDRAWN else None,
        returned_at=d.returned_at,
        receipt_signature=RETURN_METHOD_LABELS.get(method, ""),
        note="; ".join(str(n) for n in notes),
    )


def ledger_form_build(
    *, unit: Unit, start: date, end: date, issued_at: datetime | None = None
) -> f.LedgerForm:
    """Form 06 — the ledger of ``unit`` for a date range (inclusive, local days); four queries.

    Raises ``ValueError`` for an inverted or too long range (more than ``LEDGER_MAX_DAYS`` days).
    """
    if end < start:
        raise ValueError("Ngày kết thúc phải sau ngày bắt đầu.")
    if (end - start).days + 1 > LEDGER_MAX_DAYS:
        raise ValueError(f"Mỗi lần in sổ theo dõi tối đa {LEDGER_MAX_DAYS} ngày.")
    # Rows are numbered on from the entries of the book's year before the period (one count), so a
    # month printed in November continues November's numbers and matches the "Số thứ tự" of form 01.
    # A new book, and a new count, starts on 1 January.
    since = _local_midnight(start)
    number = (
        Dossier.objects.filter(_ledger_scope(unit))
        .filter(received_at__gte=_book_start(since), received_at__lt=since)
        .count()
    )
    rows = []
    year = start.year
    for d in ledger_dossiers(unit=unit, start=start, end=end):
        assert d.received_at is not None
        received_year = int(deadlines.local_date(d.received_at)[:4])
        if received_year != year:
            year, number = received_year, 0
        number += 1
        rows.append(_ledger_row(d, number))
    return f.LedgerForm(
        **_issuer(unit),
        issued_at=_second(issued_at or timezone.now()),
        period_start=start,
        period_end=end,
        book_number=f"{start.year}" if start.year == end.year else f"{start.year}–{end.year}",
        rows=rows,
    )


# --------------------------------------------------------------------------------------------------
# Thông báo dừng giải quyết hồ sơ (TT 03/2025)
# --------------------------------------------------------------------------------------------------


def stop_notice_form_build(*, dossier: Dossier) -> f.StopNoticeForm | None:
    """The stop notice for a stopped dossier (one query), else None."""
    if dossier.state != DossierState.STOPPED or dossier.received_at is None:
        return None
    event = _last_event(dossier, "stop")
    title, name = _signer(event.actor if event is not None else None, "Thủ trưởng cơ quan")
    return f.StopNoticeForm(
        **_issuer(dossier.competent_unit),
        issued_at=_second(dossier.finished_at or timezone.now()),
        **_applicant(dossier, contact=False),
        received_at=dossier.received_at,
        stopped_at=dossier.finished_at,
        reason=dossier.state_reason,
        signer_title=title,
        signer_name=name,
    )


# --------------------------------------------------------------------------------------------------
# Văn bản kết quả giải quyết — the result document (decision, certificate, confirmation)
# --------------------------------------------------------------------------------------------------

_RESULT_KINDS = {
    ResultTemplate.DECISION: results.ResultKind.DECISION,
    ResultTemplate.CERTIFICATE: results.ResultKind.CERTIFICATE,
    ResultTemplate.CONFIRMATION: results.ResultKind.CONFIRMATION,
}
_PLACE_DIVISIONS = ("phường ", "xã ", "đặc khu ", "thị trấn ")
# At most this many "Căn cứ" lines: the catalogue sometimes lists a dozen instruments.
_MAX_LEGAL_BASES = 6
_MAX_TITLE = 160


def _head_title(unit: Unit) -> str:
    """Người đứng đầu: the chair of a People's Committee, the director of a department or a centre."""
    return "Chủ tịch" if unit.kind in COMMITTEE_KINDS else "Giám đốc"


def _place_of(unit: Unit) -> str:
    """Địa danh of the date line: the commune's own name for a commune unit ("Hạ Long"), else the
    province's."""
    if unit.kind in (UnitKind.COMMUNE_COMMITTEE, UnitKind.COMMUNE_CENTRE):
        lowered = unit.name.lower()
        for division in _PLACE_DIVISIONS:
            at = lowered.rfind(division)
            if at >= 0:
                return unit.name[at + len(division) :].strip() or f.DEFAULT_PLACE
    return f.DEFAULT_PLACE


def _authority_abbreviation(unit: Unit) -> str:
    """Chữ viết tắt tên cơ quan (Decree 30/2020, Phụ lục I): initials of the name before its place,
    "Ủy ban nhân dân phường Hạ Long" → UBND, "Sở Tư pháp" → STP."""
    segments = wording.heading_segments(unit.name)
    words = [w for w in (segments[0] if segments else unit.name).split() if w[:1].isalpha()]
    return "".join(fold(w)[:1] for w in words).upper() or "UBND"


def _signer_authority(unit: Unit, signer: Account | None) -> list[str]:
    """Thẩm quyền và chức vụ người ký: "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH" for a deputy signing for the head,
    "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH" for a committee's head, else the head's title."""
    head = _head_title(unit)
    official = getattr(signer, "official", None) if signer is not None else None
    title = str(official.title) if official is not None and official.title else ""
    if fold(title).startswith("pho "):
        return [f"KT. {head}", f"Phó {head}"]
    if unit.kind in COMMITTEE_KINDS:
        return ["TM. Ủy ban nhân dân", head]
    return [head]


def _result_title(kind: results.ResultKind, result_text: str) -> str:
    # A certificate is titled as the catalogue names it ("Giấy chứng nhận đăng ký hộ kinh doanh") when
    # its result text starts so; the other kinds have fixed titles.
    if kind != results.ResultKind.CERTIFICATE:
        return ""
    first = re.split(r"[.;\n]", result_text.strip(), maxsplit=1)[0].strip()
    folded = fold(first)
    if (
        first
        and len(first) <= _MAX_TITLE
        and folded.startswith(("giay chung nhan", "giay phep", "trich luc"))
    ):
        return first
    return "Giấy chứng nhận"


def result_document_build(
    *,
    dossier: Dossier,
    number: str | None,
    signer: Account | None,
    issued_on: date | None,
    signed_at: datetime | None = None,
) -> results.ResultDocument | None:
    """The result document of ``dossier`` for its procedure's template (``catalog.selectors
    .procedure_result_template``); None when the procedure takes uploaded results only.

    ``number`` None: a draft. ``issued_on`` None leaves the date blank for the clerk. ``signed_at``: the
    document about to be signed, printing the digital signatures' lines with that time (local zone).
    The issuing authority is the competent unit; the document's timestamp is the issue date (or the
    dossier's last change), so the same inputs give the same bytes. All text NFC
    (``documents.forms.clean_text``).
    """
    template = procedure_result_template(dossier.procedure)
    if template not in _RESULT_KINDS:
        return None
    kind = _RESULT_KINDS[template]
    unit = dossier.competent_unit
    parent = unit.parent if unit.parent_id and unit.kind not in COMMITTEE_KINDS else None
    procedure = dossier.procedure
    result_text = nfc(" ".join((procedure.result or "").split()))
    organisation = dossier.applicant_kind == ApplicantKind.ORGANISATION
    who = f"{'tổ chức' if organisation else 'Ông/Bà'} {dossier.applicant_name}"
    content = {
        results.ResultKind.DECISION: (
            f'Giải quyết thủ tục hành chính "{procedure.name}" theo đề nghị của {who}'
            + (f"; kết quả: {result_text}" if result_text else "")
            + "."
        ),
        results.ResultKind.CERTIFICATE: f'Đã được giải quyết thủ tục hành chính "{procedure.name}".',
        results.ResultKind.CONFIRMATION: (
            f"Hồ sơ đã được giải quyết. Kết quả: {result_text}."
            if result_text
            else "Hồ sơ đã được giải quyết theo đề nghị."
        ),
    }[kind]
    summary = {
        results.ResultKind.DECISION: f'Về việc giải quyết thủ tục hành chính "{procedure.name}"',
        results.ResultKind.CERTIFICATE: "",
        results.ResultKind.CONFIRMATION: "Về kết quả giải quyết thủ tục hành chính",
    }[kind]
    bases = [str(b) for b in (procedure.legal_basis or []) if str(b).strip()][:_MAX_LEGAL_BASES]
    moment = _local_midnight(issued_on) if issued_on is not None else dossier.updated_at
    return results.ResultDocument(
        kind=kind,
        unit_name=unit.name,
        parent_unit_name=parent.name if parent is not None else "",
        place_name=_place_of(unit),
        number=number,
        symbol=f"{results.KIND_ABBREVIATIONS[kind]}-{_authority_abbreviation(unit)}",
        issued_on=issued_on,
        issued_at=_second(moment),
        title=_result_title(kind, result_text),
        summary=summary,
        authority_heading=f"{_head_title(unit)} {unit.name}" if kind == results.ResultKind.DECISION else "",
        legal_bases=bases,
        dossier_code=dossier.code,
        procedure_name=procedure.name,
        received_on=dossier.received_at.astimezone(deadlines.local_zone()).date()
        if dossier.received_at
        else None,
        applicant_name=dossier.applicant_name,
        applicant_is_organisation=organisation,
        applicant_id_number=dossier.applicant_id_number,
        applicant_birth_date=dossier.applicant_birth_date,
        applicant_address=dossier.applicant_address,
        content=content,
        executors=f"{unit.name}, {who}",
        recipients=("Như Điều 3;" if kind == results.ResultKind.DECISION else "Như trên;", "Lưu: VT."),
        signer_authority=_signer_authority(unit, signer),
        signer_name=_official_name(signer),
        signed_at=signed_at.astimezone(deadlines.local_zone()) if signed_at is not None else None,
    )

"""Fee schedules — biểu phí, lệ phí: when each line applies, and the fee due for one dossier.

A published schedule lists *alternatives*, not items to add up: "Lệ phí đăng ký thường trú - nộp trực
tiếp 20.000" and "- nộp trực tuyến 10.000" are two rates of one fee, one for each channel. So each line
says when it applies (``ProcedureFee.channel``, ``case_group``/``case_name``, ``conditional``) and
``fee_due`` picks, for one dossier, the lines that apply — at most one per channel and per case group —
and explains the choice in words, so that the amount on the receipt can be checked by the citizen.

``fee_terms_derive`` reads those terms from a line's name and note at import; the rules (docs/domain.md
"Phí, lệ phí") are written next to each pattern. An admin may correct the result: the columns are
part of the procedure's versioned content.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from django.db import models
from django.utils.translation import gettext, gettext_noop

from motcua.catalog.models import FeeBasis, FeeChannel, ProcedureFee
from motcua.catalog.public import citizen_text, internal_parentheses_removed, is_internal_text
from motcua.core.formatting import format_number, format_vnd
from motcua.core.text import nfc

# --- Import: the terms of a line, from its name and note --------------------------------------------

# The channel is read from the *name* only: the schedule names a line "… - nộp trực tiếp" when the rate
# depends on the channel, while notes also describe how to pay ("thanh toán … khi nộp trực tuyến"), which
# says nothing about which rate applies.
_ONLINE: Final = re.compile(r"\b(nộp |qua )?(trực tuyến|qua mạng|dịch vụ công trực tuyến)\b", re.IGNORECASE)
_COUNTER: Final = re.compile(r"\b(nộp )?(trực tiếp|tại quầy|qua bưu chính|hồ sơ giấy)\b", re.IGNORECASE)
# "(nếu có yêu cầu)", "(nếu phải trích đo)": charged only when that happens.
_CONDITION: Final = re.compile(r"\((nếu [^()]+)\)", re.IGNORECASE)
# "… - trường hợp cấp lần đầu", "(đối với tổ chức)": the case a rate is for.
_CASE: Final = re.compile(r"(?:[-–(:,]\s*)((?:trường hợp|đối với)\s[^()]+?)\s*\)?\s*$", re.IGNORECASE)
# Per-unit rates, read from the name or the note: "2.000 đồng/trang", "50.000 đồng/giao dịch".
_BASIS: Final = (
    (re.compile(r"/\s*trang\b", re.IGNORECASE), FeeBasis.PER_PAGE),
    (re.compile(r"/\s*bản\b", re.IGNORECASE), FeeBasis.PER_COPY),
    (re.compile(r"/\s*trường hợp\b", re.IGNORECASE), FeeBasis.PER_CASE),
    (re.compile(r"/\s*giao dịch\b", re.IGNORECASE), FeeBasis.PER_TRANSACTION),
)
# Sentences of a note that state an exemption ("miễn lệ phí …", "có trường hợp miễn phí").
_SENTENCE_SPLIT: Final = re.compile(r"(?<=\.)\s+")
_EXEMPTION: Final = re.compile(r"\bmiễn\b|\bgiảm\b", re.IGNORECASE)
# The name of the fee without what distinguishes its alternatives: the group key of case alternatives.
_SUFFIX: Final = re.compile(
    r"\s*(?:[-–]\s*|\()\s*(?:nộp |qua )?(?:trực tuyến|trực tiếp|trường hợp|đối với).*$", re.I
)


def _exemption_text(note: str) -> str:
    """The parts of ``note`` that state an exemption, in words a citizen may read. A sentence that is a
    data note ("Nguồn liệt kê các mức: 10.000 Đồng; Miễn phí") only tells that some cases are free."""
    kept: list[str] = []
    for sentence in (internal_parentheses_removed(s.strip()) for s in _SENTENCE_SPLIT.split(note)):
        if not _EXEMPTION.search(sentence):
            continue
        if is_internal_text(sentence):
            kept.append("Có trường hợp được miễn phí.")
            continue
        for part in (p.strip(" .") for p in sentence.split(";")):
            if _EXEMPTION.search(part):
                kept.append(f"{part[:1].upper()}{part[1:]}.")
    return " ".join(dict.fromkeys(kept))


def fee_terms_derive(lines: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The lines of one schedule with ``channel``, ``basis``, ``case_group``, ``case_name``,
    ``conditional`` and ``exemption`` filled in from their names and notes (import; no database).

    Case alternatives: two or more lines whose names, without the case, are the same fee
    ("Lệ phí X - trường hợp A" / "Lệ phí X - trường hợp B") form one group named after that fee. A
    single line "for a case" has no alternative: it is conditional on that case.
    """
    derived: list[dict[str, Any]] = []
    for line in lines:
        name, note = nfc(line.get("name") or ""), nfc(line.get("note") or "")
        channel = (
            FeeChannel.ONLINE
            if _ONLINE.search(name)
            else FeeChannel.COUNTER
            if _COUNTER.search(name)
            else FeeChannel.ANY
        )
        basis = next(
            (b for pattern, b in _BASIS if pattern.search(name) or pattern.search(note)), FeeBasis.FIXED
        )
        condition = _CONDITION.search(name)
        case = _CASE.search(name) if condition is None else None
        derived.append(
            {
                **line,
                "channel": channel.value,
                "basis": basis.value,
                "case_name": (condition.group(1) if condition else case.group(1) if case else "")[:300],
                "case_group": _SUFFIX.sub("", name).strip()[:200] if case else "",
                "conditional": condition is not None,
                "exemption": _exemption_text(note),
            }
        )
    groups: dict[str, int] = {}
    for line in derived:
        if line["case_group"]:
            groups[line["case_group"]] = groups.get(line["case_group"], 0) + 1
    for line in derived:
        if line["case_group"] and groups[line["case_group"]] < 2:
            line["case_group"], line["conditional"] = "", True
    return derived


# --- The fee due for one dossier ---------------------------------------------------------------------


class FeeStatus(models.TextChoices):
    """What is known of the fee due on a dossier — tình trạng phí, lệ phí."""

    DUE = "due", gettext_noop("Phải nộp")
    FREE = "free", gettext_noop("Miễn phí")
    UNPUBLISHED = "unpublished", gettext_noop("Chưa công bố mức thu")
    PARTIAL = "partial", gettext_noop("Có khoản chưa công bố mức thu")


@dataclass(frozen=True)
class FeeLineDue:
    """One line of the schedule that applies, with its amount (None: not published) and why."""

    name: str
    amount_vnd: int | None
    explanation: str


@dataclass(frozen=True)
class FeeDue:
    """The fee due for one dossier: the lines that apply, their known total, status and explanation."""

    lines: list[FeeLineDue]
    total_vnd: int
    status: str
    explanation: str
    case: str = ""
    not_applied: list[str] = field(default_factory=list)


def vnd(amount: int) -> str:
    return f"{format_number(amount)} đồng"


def fee_summary(status: str, total_vnd: int) -> str:
    """One line for a dossier's fee: what to pay, or why no amount is shown (never "0 đồng" for an
    amount that is not published). A blank status: a dossier from before the fee rules."""
    if status == FeeStatus.DUE:
        return f"Phải nộp: {vnd(total_vnd)}"
    if status == FeeStatus.FREE:
        return "Miễn phí"
    if status == FeeStatus.UNPUBLISHED:
        return "Chưa công bố mức thu"
    if status == FeeStatus.PARTIAL:
        return f"Tạm tính: {vnd(total_vnd)} (có khoản chưa công bố mức thu)"
    return f"Tổng: {vnd(total_vnd)}" if total_vnd > 0 else "Không thu phí, lệ phí"


def fee_summary_display(status: str, total_vnd: int) -> str:
    """``fee_summary`` in the language of the page (and its number format: "50,000 VND" in English).

    ``fee_summary`` itself stays Vietnamese: it is what the API and the printed forms say.
    """
    amount = format_vnd(total_vnd)
    if status == FeeStatus.DUE:
        return gettext("Phải nộp: %(amount)s") % {"amount": amount}
    if status == FeeStatus.FREE:
        return gettext("Miễn phí")
    if status == FeeStatus.UNPUBLISHED:
        return gettext("Chưa công bố mức thu")
    if status == FeeStatus.PARTIAL:
        return gettext("Tạm tính: %(amount)s (có khoản chưa công bố mức thu)") % {"amount": amount}
    if total_vnd > 0:
        return gettext("Tổng: %(amount)s") % {"amount": amount}
    return gettext("Không thu phí, lệ phí")


_UNIT_WORD: Final = {
    FeeBasis.PER_PAGE: "trang",
    FeeBasis.PER_COPY: "bản",
    FeeBasis.PER_CASE: "trường hợp",
    FeeBasis.PER_TRANSACTION: "giao dịch",
}


def fee_channel_of(channel: str) -> str:
    """The fee channel of a dossier channel: online and DVCQG submissions pay the online rate; the
    counter, kiosk and post pay the rate for a dossier handed in (nộp trực tiếp) — a kiosk or postal
    dossier is a paper dossier received by an official, which is what the lower online rate excludes."""
    return FeeChannel.ONLINE if channel in ("online", "dvcqg") else FeeChannel.COUNTER


def fee_cases(fees: Iterable[ProcedureFee]) -> dict[str, list[str]]:
    """Case alternatives of a schedule: group → case names, in schedule order (for a choice at intake)."""
    groups: dict[str, list[str]] = {}
    for fee in fees:
        if fee.case_group:
            groups.setdefault(fee.case_group, []).append(fee.case_name or fee.name)
    return groups


def fee_case_name(fee: ProcedureFee) -> str:
    """The case a line is the rate for, as a submission names it (``fee_case``): only a line of a case
    group — an alternative — has one; a conditional line's "nếu có yêu cầu" is a condition, not a case."""
    return (fee.case_name or fee.name) if fee.case_group else ""


def fee_condition(fee: ProcedureFee) -> str:
    """When a conditional line is charged ("nếu có yêu cầu"); empty for other lines and for a
    conditional line whose condition the schedule does not state."""
    return fee.case_name if fee.conditional and not fee.case_group else ""


def fee_case_choices(fees: Iterable[ProcedureFee]) -> list[str]:
    """Every case a submission may name, in schedule order: the alternatives of all case groups."""
    return list(dict.fromkeys(case for cases in fee_cases(fees).values() for case in cases))


FEE_CASE_UNKNOWN: Final = "Trường hợp tính phí không có trong biểu phí của thủ tục."


def fee_case_refusal(fees: Sequence[ProcedureFee], case: str) -> str | None:
    """Why ``case`` cannot be the case of a dossier's fee (None: it can). The message says what to
    send instead: one of the schedule's cases, or nothing when the schedule has none."""
    choices = fee_case_choices(fees)
    if not case or case in choices:
        return None
    condition_of = next((f for f in fees if case in (fee_condition(f), f.name) and f.conditional), None)
    if condition_of is not None:
        first = (
            f"«{case}» là điều kiện thu của khoản «{condition_of.name}», không phải trường hợp tính phí: "
            "khoản này chỉ thu khi phát sinh, không chọn khi nộp hồ sơ."
        )
    else:
        first = FEE_CASE_UNKNOWN
    if choices:
        return f"{first} Chọn một trong: {'; '.join(choices)}."
    return f"{first} Biểu phí của thủ tục không có mức theo trường hợp: để trống trường này."


def fee_due(*, fees: Sequence[ProcedureFee], channel: str, case: str = "") -> FeeDue:
    """The fee due for a dossier submitted through ``channel`` (a ``FeeChannel`` value) in ``case``.

    Rules (docs/domain.md "Phí, lệ phí"): a line applies if its channel is the dossier's or any; of a
    case group only the line of the chosen case applies — the first case of the group when none was
    chosen or the choice is not in the group (the citizen may ask the officer to correct it); a
    conditional line is listed but not charged at receipt. A per-unit rate is charged once (one page,
    copy, case or transaction) and the explanation says the amount grows with the count. Amounts
    never add alternatives; an unpublished amount is never shown as 0.
    """
    channel_label = FeeChannel(channel).label.lower()
    groups = fee_cases(fees)
    chosen: dict[str, str] = {}
    for group, cases in groups.items():
        chosen[group] = case if case in cases else cases[0]
    lines: list[FeeLineDue] = []
    not_applied: list[str] = []
    for fee in sorted(fees, key=lambda f: f.order):
        if fee.channel not in (FeeChannel.ANY, channel):
            not_applied.append(f"{fee.name}: chỉ áp dụng khi {fee.get_channel_display().lower()}")
            continue
        if fee.case_group and (fee.case_name or fee.name) != chosen[fee.case_group]:
            not_applied.append(f"{fee.name}: áp dụng cho {fee.case_name or 'trường hợp khác'}")
            continue
        if fee.conditional:
            not_applied.append(f"{fee.name}: chỉ thu {fee.case_name or 'khi phát sinh'}")
            continue
        lines.append(_line_due(fee, channel_label=channel_label, case=chosen.get(fee.case_group, "")))
    known = [line.amount_vnd for line in lines if line.amount_vnd is not None]
    total = sum(known)
    if not fees:
        status = FeeStatus.UNPUBLISHED
        summary = "Danh mục thủ tục chưa công bố phí, lệ phí; cán bộ tiếp nhận hướng dẫn nếu có."
    elif not lines:
        status = FeeStatus.FREE
        summary = "Không có khoản phí, lệ phí nào áp dụng cho hồ sơ này."
    elif len(known) < len(lines):
        status = FeeStatus.PARTIAL if total > 0 else FeeStatus.UNPUBLISHED
        summary = (
            f"Tạm tính {vnd(total)}; có khoản chưa công bố mức thu, cán bộ tiếp nhận thông báo khi có."
            if total > 0
            else "Chưa công bố mức thu; cán bộ tiếp nhận thông báo số tiền phải nộp."
        )
    elif total == 0:
        status, summary = FeeStatus.FREE, "Miễn phí."
    else:
        status, summary = FeeStatus.DUE, f"Phải nộp {vnd(total)}."
    explanation = " ".join(
        [summary, *(line.explanation for line in lines), *(f"Không tính {n}." for n in not_applied)]
    )
    return FeeDue(
        lines=lines,
        total_vnd=total,
        status=status,
        explanation=explanation,
        case="; ".join(chosen.values()),
        not_applied=not_applied,
    )


def _line_due(fee: ProcedureFee, *, channel_label: str, case: str) -> FeeLineDue:
    why: list[str] = []
    if fee.channel != FeeChannel.ANY:
        why.append(f"mức {channel_label}")
    if case:
        why.append(case)
    reason = f" ({', '.join(why)})" if why else ""
    if fee.amount_vnd is None:
        text = f"{fee.name}{reason}: chưa công bố mức thu."
    elif fee.amount_vnd == 0:
        text = f"{fee.name}{reason}: miễn phí."
    elif fee.basis != FeeBasis.FIXED:
        unit = _UNIT_WORD[FeeBasis(fee.basis)]
        text = (
            f"{fee.name}{reason}: {vnd(fee.amount_vnd)}/{unit}, tạm tính cho 1 {unit}; "
            f"số tiền thu theo số {unit} thực tế."
        )
    else:
        text = f"{fee.name}{reason}: {vnd(fee.amount_vnd)}."
    # Printed on form 01 and kept on the dossier: the applicant reads it, so no source attribution.
    if (exemption := citizen_text(fee.exemption)) and fee.amount_vnd:
        text += f" Miễn, giảm: {exemption}"
    return FeeLineDue(name=fee.name, amount_vnd=fee.amount_vnd, explanation=text)

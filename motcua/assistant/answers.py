"""Grounded answers — câu trả lời dựa trên dữ liệu: every fact comes from the catalogue record.

Each function words one fact of a procedure from its record (``catalog.selectors.procedure_get``),
through the same public filters as the procedure page (``catalog.public``: ``citizen_text``,
``public_fees``; ``procedure_online_eligibility``). Where the record lacks the fact the answer says
so and points to the procedure page or the centre; nothing is guessed. Sentences are short, for
elderly readers; the words are gettext strings (English when the page is English).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from motcua.catalog.models import Level, Procedure, ServiceLevel
from motcua.catalog.public import citizen_text, citizen_texts, public_fees
from motcua.catalog.selectors import procedure_online_eligibility
from motcua.core.formatting import format_duration, format_vnd

MAX_LISTED = 8  # documents or fee lines listed in a chat answer; the page has the rest


def _missing(what: str) -> str:
    return _(
        "Danh mục thủ tục chưa công bố %(what)s của thủ tục này. Bạn xem trang thủ tục hoặc hỏi Bộ phận "
        "tiếp nhận và trả kết quả tại Trung tâm Phục vụ hành chính công."
    ) % {"what": what}


def _more(total: int) -> str:
    return (
        _("… và %(n)s mục khác: xem trang thủ tục.") % {"n": total - MAX_LISTED} if total > MAX_LISTED else ""
    )


def title(procedure: Procedure) -> str:
    return _("Thủ tục «%(name)s» (mã %(code)s).") % {"name": procedure.name, "code": procedure.code}


def time_text(procedure: Procedure) -> str:
    duration = format_duration(procedure.processing_time_amount, procedure.processing_time_unit)
    wording = citizen_text(procedure.processing_time_text)
    if not duration and not wording:
        return _missing(_("thời hạn giải quyết"))
    if duration and wording:
        return _("Thời hạn giải quyết: %(time)s (%(text)s).") % {
            "time": duration,
            "text": wording.rstrip("."),
        }
    return _("Thời hạn giải quyết: %(time)s.") % {"time": duration or wording.rstrip(".")}


def fees_text(procedure: Procedure) -> str:
    lines = public_fees(procedure.fees.all())
    if not lines:
        return _missing(_("phí, lệ phí"))
    if all(line.amount_vnd == 0 for line in lines):
        return _("Thủ tục này miễn phí, lệ phí.")
    out = [_("Phí, lệ phí:")]
    for line in lines[:MAX_LISTED]:
        amount = format_vnd(line.amount_vnd)
        if line.amount_vnd is None:
            amount = _("chưa công bố mức thu")
        elif line.basis_label:
            amount = f"{amount} ({line.basis_label})"
        when = f" — {line.applies_when}" if line.applies_when else ""
        out.append(f"• {line.name}: {amount}{when}.")
    if more := _more(len(lines)):
        out.append(more)
    return "\n".join(out)


def documents_text(procedure: Procedure) -> str:
    documents = list(procedure.documents.all())
    if not documents:
        return _missing(_("thành phần hồ sơ"))
    out = [_("Giấy tờ cần nộp:")]
    for doc in documents[:MAX_LISTED]:
        copies = citizen_text(doc.copies)
        optional = "" if doc.required else _(" (nếu có)")
        out.append(f"• {doc.name}{optional}" + (f": {copies}" if copies else "") + ".")
    if more := _more(len(documents)):
        out.append(more)
    return "\n".join(out)


def where_text(procedure: Procedure) -> str:
    out: list[str] = []
    if agency := citizen_text(procedure.implementing_agency):
        out.append(_("Cơ quan thực hiện: %(agency)s.") % {"agency": agency.rstrip(".")})
    if authority := citizen_text(procedure.competent_authority):
        out.append(_("Cơ quan có thẩm quyền: %(agency)s.") % {"agency": authority.rstrip(".")})
    level_where: str | None = {
        Level.COMMUNE.value: _("Nộp tại Trung tâm Phục vụ hành chính công xã, phường, đặc khu."),
        Level.PROVINCE.value: _("Nộp tại Trung tâm Phục vụ hành chính công tỉnh Quảng Ninh."),
        Level.BOTH.value: _("Nộp tại Trung tâm Phục vụ hành chính công tỉnh hoặc xã, phường, đặc khu."),
        Level.CENTRAL.value: _("Thủ tục do cơ quan ngành dọc giải quyết."),
    }.get(str(procedure.level))
    if level_where:
        out.append(level_where)
    if not out:
        return _missing(_("nơi nộp hồ sơ"))
    if procedure.level in (Level.COMMUNE, Level.PROVINCE, Level.BOTH):
        out.append(_("Bạn có thể nộp tại bất kỳ trung tâm nào trong tỉnh, không phụ thuộc nơi cư trú."))
    return "\n".join(out)


def online_text(procedure: Procedure) -> str:
    eligibility = procedure_online_eligibility(procedure)
    if eligibility.allowed:
        return _("Có. Thủ tục này nộp trực tuyến toàn trình: bấm «Nộp hồ sơ trực tuyến».")
    if eligibility.mode == "partial":
        return _("Một phần.") + " " + eligibility.reason
    return _("Chưa.") + " " + eligibility.reason


def legal_text(procedure: Procedure) -> str:
    items = citizen_texts(procedure.legal_basis)
    if not items:
        return _missing(_("căn cứ pháp lý"))
    out = [_("Căn cứ pháp lý:")] + [f"• {item}" for item in items[:MAX_LISTED]]
    if more := _more(len(items)):
        out.append(more)
    return "\n".join(out)


def summary_text(procedure: Procedure) -> str:
    """What a citizen wants first: time, fees in one line, online or not; the rest by follow-up."""
    lines = [title(procedure), time_text(procedure)]
    fees = public_fees(procedure.fees.all())
    if not fees:
        lines.append(_("Phí, lệ phí: chưa công bố."))
    elif all(f.amount_vnd == 0 for f in fees):
        lines.append(_("Thủ tục này miễn phí, lệ phí."))
    else:
        lines.append(_("Phí, lệ phí: hỏi «phí bao nhiêu» để xem từng khoản."))
    if (
        procedure.service_level == ServiceLevel.FULL_ONLINE
        and procedure_online_eligibility(procedure).allowed
    ):
        lines.append(_("Có thể nộp trực tuyến toàn trình."))
    elif procedure.service_level == ServiceLevel.PARTIAL_ONLINE:
        lines.append(_("Nộp trực tuyến một phần; nhận kết quả tại Trung tâm."))
    else:
        lines.append(_("Nộp trực tiếp tại Trung tâm Phục vụ hành chính công."))
    return "\n".join(lines)

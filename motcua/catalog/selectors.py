"""Catalogue reads for pages and the API (writes live in ``catalog.services``)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext

from motcua.catalog.models import (
    Field,
    Procedure,
    ProcessDefinition,
    ProcessStep,
    ResultTemplate,
    ServiceLevel,
)
from motcua.catalog.search import procedure_search
from motcua.core.text import fold
from motcua.worktime.models import TimeUnit

__all__ = [
    "MAX_QUERY_LENGTH",
    "ONLINE_FILTERS",
    "PAGE_SIZE",
    "OnlineEligibility",
    "ProcedurePage",
    "field_get",
    "field_list",
    "page_count",
    "procedure_code_normalise",
    "procedure_get",
    "procedure_list",
    "procedure_online_eligibility",
    "procedure_result_template",
    "procedure_time_missing_q",
    "procedures_incomplete",
]

PAGE_SIZE = 20  # procedures per page of search results (pages and API)
MAX_QUERY_LENGTH = 200  # characters of a search query

# A published code carries the agency's suffix: 1.004194.000.00.00.H49 → 1.004194.
_PUBLISHED_CODE = re.compile(r"^([1-3]\.\d{6})\.[0-9A-Za-z.]+$")

# "online" filter of pages and API → Procedure.service_level. Short values keep URLs readable; the
# model's own values are accepted too.
ONLINE_FILTERS: dict[str, str] = {
    "full": ServiceLevel.FULL_ONLINE.value,
    "partial": ServiceLevel.PARTIAL_ONLINE.value,
    "offline": ServiceLevel.OFFLINE.value,
    **{value: value for value in ServiceLevel.values},
}


@dataclass(frozen=True)
class ProcedurePage:
    """One page of search results; ``items`` keep the search order."""

    total: int
    items: list[Procedure]


def page_count(total: int, page_size: int = PAGE_SIZE) -> int:
    """Pages needed for ``total`` results; at least 1 (an empty result still has its one page)."""
    return max(1, math.ceil(total / page_size))


def procedure_code_normalise(code: str) -> str:
    """The catalogue code of a code as typed or published: trimmed, and without the agency's suffix
    of a published code (``1.004194.000.00.00.H49`` → ``1.004194``); any other text only trimmed."""
    code = code.strip()
    if match := _PUBLISHED_CODE.match(code):
        return match.group(1)
    return code


def procedure_list(
    *,
    query: str = "",
    field_id: int | None = None,
    level: str | None = None,
    service_level: str | None = None,
    offset: int = 0,
    limit: int = 20,
) -> ProcedurePage:
    """Active procedures matching ``query`` and the filters, best first; one query for the page.

    The search index ranks ids; one ``IN`` query then fetches exactly that page with its field.
    """
    result = procedure_search(
        query=query, field_id=field_id, level=level, service_level=service_level, offset=offset, limit=limit
    )
    if not result.ids:
        return ProcedurePage(result.total, [])
    by_id = Procedure.objects.select_related("field").in_bulk(result.ids)
    # An id may be gone if a write raced the index refresh; skip it rather than fail the page.
    return ProcedurePage(result.total, [by_id[i] for i in result.ids if i in by_id])


def procedure_get(*, code: str) -> Procedure:
    """One procedure with documents, fees and the current internal process prefetched.

    ``current_processes`` holds at most one ProcessDefinition (with ``steps``); ``versions_count``
    is the number of recorded versions. Raises ``Procedure.DoesNotExist``.
    """
    current = Prefetch(
        "processes",
        queryset=ProcessDefinition.objects.filter(is_current=True).prefetch_related(
            Prefetch("steps", queryset=ProcessStep.objects.order_by("order"))
        ),
        to_attr="current_processes",
    )
    return (
        Procedure.objects.select_related("field")
        .annotate(versions_count=Count("versions", distinct=True))
        .prefetch_related("documents", "fees", current)
        .get(code=code)
    )


def procedure_time_missing_q() -> Q:
    """Procedures without a published processing time (``Procedure.has_processing_time`` in SQL)."""
    has_time = Q(processing_time_unit=TimeUnit.SAME_DAY) | (
        ~Q(processing_time_unit="") & Q(processing_time_amount__gt=0)
    )
    return ~has_time


def procedures_incomplete(*, active_only: bool = True) -> QuerySet[Procedure]:
    """Procedures whose data is incomplete — thủ tục chưa đủ dữ liệu: no processing time is published.

    Admins complete them (admin filter "Dữ liệu" → "Chưa có thời hạn giải quyết"); until then online
    submission is closed and a counter receipt needs an appointment entered by the officer.
    """
    queryset = Procedure.objects.filter(procedure_time_missing_q())
    if active_only:
        queryset = queryset.filter(is_active=True)
    return queryset.select_related("field").order_by("-popularity", "code")


def field_list() -> QuerySet[Field]:
    """Fields that have active procedures, by name, with ``procedure_count`` and ``popularity``
    (the summed popularity of their procedures, to show the fields people use most first)."""
    active = Q(procedures__is_active=True, procedures__applies_here=True)
    return (
        Field.objects.annotate(
            procedure_count=Count("procedures", filter=active),
            popularity=Sum("procedures__popularity", filter=active, default=0),
        )
        .filter(procedure_count__gt=0)
        .order_by("name")
    )


def field_get(*, key: str) -> Field | None:
    """A field by id ("12") or code (slug); None if there is none."""
    if key.isdigit():
        return Field.objects.filter(pk=int(key)).first()
    return Field.objects.filter(code=key).first()


@dataclass(frozen=True)
class OnlineEligibility:
    """Whether a procedure can be submitted online here — điều kiện nộp hồ sơ trực tuyến — and why not.

    ``mode``: ``full`` (the wizard is open), ``partial`` (online in part: the applicant is told what
    must be done in person) or ``closed``; ``reason`` is the Vietnamese explanation shown on the
    procedure page and by the wizard when it refuses the procedure.
    """

    mode: str
    reason: str

    @property
    def allowed(self) -> bool:
        return self.mode == "full"


def procedure_online_eligibility(procedure: Procedure) -> OnlineEligibility:
    """The one decision of whether ``procedure`` takes online submissions (docs/domain.md "Nộp trực tuyến").

    Open only to a full-online ("toàn trình") procedure, applying in Quảng Ninh and active, whose published
    data is complete: its documents (thành phần hồ sơ), a processing time, and a current internal process
    with a counted total (the engine needs it to set the appointment). Reads ``documents`` and
    ``current_processes`` as ``procedure_get`` prefetches them (queries otherwise).
    """
    where = gettext(
        "Vui lòng nộp trực tiếp tại Bộ phận tiếp nhận và trả kết quả (Trung tâm Phục vụ hành chính công "
        "tỉnh hoặc xã, phường, đặc khu; tiếp nhận không phụ thuộc địa giới hành chính)."
    )
    if not procedure.is_active or not procedure.applies_here:
        return OnlineEligibility("closed", gettext("Thủ tục này không còn áp dụng tại Quảng Ninh."))
    if procedure.service_level == ServiceLevel.PARTIAL_ONLINE:
        return OnlineEligibility(
            "partial",
            gettext(
                "Thủ tục trực tuyến một phần: có thể tra cứu, tải mẫu đơn và chuẩn bị hồ sơ trực tuyến, "
                "nhưng phải nộp bản giấy hoặc xuất trình bản gốc và nhận kết quả trực tiếp tại Bộ phận tiếp "
                "nhận và trả kết quả."
            ),
        )
    if procedure.service_level != ServiceLevel.FULL_ONLINE:
        return OnlineEligibility(
            "closed", gettext("Thủ tục này chưa cung cấp dịch vụ công trực tuyến.") + " " + where
        )
    documents = procedure.documents.all()
    if not documents:
        return OnlineEligibility(
            "closed",
            gettext("Danh mục chưa công bố thành phần hồ sơ của thủ tục này nên chưa nhận hồ sơ trực tuyến.")
            + " "
            + where,
        )
    if not procedure.has_processing_time:
        return OnlineEligibility(
            "closed",
            gettext(
                "Thủ tục này chưa được công bố thời hạn giải quyết nên chưa hẹn được ngày trả kết quả cho hồ "
                "sơ nộp trực tuyến."
            )
            + " "
            + where,
        )
    current: list[ProcessDefinition] | None = getattr(procedure, "current_processes", None)
    if current is None:
        current = list(
            ProcessDefinition.objects.filter(procedure=procedure, is_current=True).prefetch_related("steps")
        )
    process = current[0] if current else None
    counted = process is not None and (
        process.total_unit == TimeUnit.SAME_DAY
        or (process.total_unit not in ("", "not_counted") and (process.total_amount or 0) > 0)
    )
    if process is None or len(process.steps.all()) < 2 or not counted:
        return OnlineEligibility(
            "closed",
            gettext("Thủ tục này chưa có quy trình giải quyết được phê duyệt nên chưa nhận hồ sơ trực tuyến.")
            + " "
            + where,
        )
    return OnlineEligibility("full", "")


# Words of the catalogue's result text (kết quả thực hiện), accent-folded, that name a certificate.
_CERTIFICATE_WORDS = ("giay chung nhan", "giay phep", "trich luc")


def procedure_result_template(procedure: Procedure) -> ResultTemplate:
    """Which result template the procedure uses (mẫu văn bản kết quả): the one set in the admin, else a
    guess from the result text — "Giấy chứng nhận", "Giấy phép", "Trích lục" → certificate,
    "Quyết định" → decision, anything else → confirmation (xác nhận, thông báo kết quả)."""
    if procedure.result_template:
        return ResultTemplate(procedure.result_template)
    text = fold(procedure.result or "")
    if any(word in text for word in _CERTIFICATE_WORDS):
        return ResultTemplate.CERTIFICATE
    if "quyet dinh" in text:
        return ResultTemplate.DECISION
    return ResultTemplate.CONFIRMATION

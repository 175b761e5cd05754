"""Public catalogue pages: home, procedure search (htmx live results) and procedure detail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from motcua.catalog.models import Level, Procedure, ServiceLevel
from motcua.catalog.public import fees_are_alternatives, public_fees
from motcua.catalog.selectors import (
    MAX_QUERY_LENGTH,
    ONLINE_FILTERS,
    PAGE_SIZE,
    ProcedurePage,
    field_get,
    field_list,
    page_count,
    procedure_code_normalise,
    procedure_get,
    procedure_list,
    procedure_online_eligibility,
)
from motcua.core.paging import is_htmx_partial, page_numbers

HOME_POPULAR = 8
HOME_FIELDS = 12


class SearchForm(forms.Form):
    """Query-string filters of /thu-tuc/. Invalid values are reported and then ignored."""

    q = forms.CharField(
        label=gettext_lazy("Tên hoặc mã thủ tục"),
        max_length=MAX_QUERY_LENGTH,
        required=False,
        # The API's wording (catalog.api), not Django's "tối đa … kí tự".
        error_messages={"max_length": gettext_lazy("Từ khóa tìm kiếm dài quá %(limit_value)d ký tự.")},
    )
    field = forms.CharField(label=gettext_lazy("Lĩnh vực"), max_length=120, required=False)
    level = forms.ChoiceField(
        label=gettext_lazy("Cấp thực hiện"),
        required=False,
        choices=[
            ("", gettext_lazy("Tất cả các cấp")),
            (Level.PROVINCE.value, gettext_lazy("Cấp tỉnh")),
            (Level.COMMUNE.value, gettext_lazy("Cấp xã")),
            (Level.CENTRAL.value, gettext_lazy("Ngành dọc / trung ương")),
        ],
    )
    online = forms.ChoiceField(
        label=gettext_lazy("Dịch vụ công trực tuyến"),
        required=False,
        choices=[
            ("", gettext_lazy("Tất cả")),
            ("full", gettext_lazy("Toàn trình")),
            ("partial", gettext_lazy("Một phần")),
        ],
    )
    page = forms.IntegerField(min_value=1, required=False)

    def clean_field(self) -> Any:
        key = (self.cleaned_data.get("field") or "").strip()
        if not key:
            return None
        found = field_get(key=key)
        if found is None:
            raise forms.ValidationError(_("Không có lĩnh vực này."))
        return found


@dataclass(frozen=True)
class Channel:
    """One way to submit a dossier, for the "Nơi nộp hồ sơ" section."""

    title: str
    text: str


def submission_channels(procedure: Procedure) -> list[Channel]:
    """Where a citizen can submit: centres by competent level, then the online channel."""
    anywhere = _(
        "Tiếp nhận không phụ thuộc địa giới hành chính: có thể nộp tại bất kỳ Trung tâm Phục vụ hành chính "
        "công nào trong tỉnh, hồ sơ được chuyển đến cơ quan có thẩm quyền giải quyết."
    )
    province = Channel(
        _("Trung tâm Phục vụ hành chính công tỉnh Quảng Ninh"),
        _("Nộp trực tiếp tại quầy của sở, ngành phụ trách lĩnh vực."),
    )
    commune = Channel(
        _("Trung tâm Phục vụ hành chính công xã, phường, đặc khu"),
        _("54 trung tâm cấp xã trên địa bàn tỉnh."),
    )
    channels: list[Channel] = []
    if procedure.level == Level.PROVINCE:
        channels += [province, Channel(_("Nộp tại trung tâm khác"), anywhere)]
    elif procedure.level == Level.COMMUNE:
        channels += [commune, Channel(_("Nộp tại trung tâm khác"), anywhere)]
    elif procedure.level == Level.BOTH:
        channels += [commune, province, Channel(_("Nộp tại trung tâm khác"), anywhere)]
    elif procedure.level == Level.CENTRAL:
        channels.append(
            Channel(
                _("Cơ quan ngành dọc"),
                _("Thủ tục do cơ quan ngành dọc (công an, thuế, bảo hiểm xã hội…) giải quyết."),
            )
        )
    else:
        channels.append(
            Channel(
                _("Trung tâm Phục vụ hành chính công"),
                _("Cấp thực hiện chưa được công bố; liên hệ Trung tâm để được hướng dẫn."),
            )
        )
    online = procedure.service_level in (ServiceLevel.FULL_ONLINE, ServiceLevel.PARTIAL_ONLINE)
    if online and not procedure.has_processing_time:
        # The engine refuses such submissions (no due time could be given): say so, and why.
        channels.append(
            Channel(
                _("Chưa nhận hồ sơ trực tuyến"),
                _(
                    "Thủ tục này chưa được công bố thời hạn giải quyết nên hệ thống chưa hẹn được ngày trả "
                    "kết quả cho hồ sơ nộp trực tuyến. Vui lòng nộp trực tiếp tại Trung tâm: cán bộ tiếp "
                    "nhận sẽ hẹn ngày trả kết quả."
                ),
            )
        )
    elif procedure.service_level == ServiceLevel.FULL_ONLINE:
        channels.append(
            Channel(
                _("Trực tuyến toàn trình"),
                _(
                    "Nộp hồ sơ, theo dõi, nộp phí và nhận kết quả trực tuyến trên Cổng Dịch vụ công quốc gia "
                    "hoặc Hệ thống thông tin giải quyết TTHC tỉnh; kết quả giấy có thể nhận qua bưu chính."
                ),
            )
        )
    elif procedure.service_level == ServiceLevel.PARTIAL_ONLINE:
        channels.append(
            Channel(
                _("Trực tuyến một phần"),
                _(
                    "Nộp hồ sơ trực tuyến; một số bước (xuất trình bản chính, nhận kết quả) thực hiện trực "
                    "tiếp tại Trung tâm."
                ),
            )
        )
    return channels


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    popular = procedure_list(limit=HOME_POPULAR)
    fields = field_list().order_by("-popularity", "name")[:HOME_FIELDS]
    context = {
        "popular": popular.items,
        "fields": fields,
        "total": popular.total,
        "form": SearchForm(),
    }
    return render(request, "catalog/home.html", context)


@require_GET
@vary_on_headers("HX-Request")
def procedure_search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    form.is_valid()  # invalid filters are shown next to the form and ignored
    data = form.cleaned_data
    field = data.get("field")
    page = data.get("page") or 1
    query: str = data.get("q") or ""
    level: str | None = data.get("level") or None
    service_level = ONLINE_FILTERS.get(data.get("online") or "")

    def fetch(page: int) -> ProcedurePage:
        return procedure_list(
            query=query,
            field_id=field.pk if field else None,
            level=level,
            service_level=service_level,
            offset=(page - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
        )

    result = fetch(page)
    pages = page_count(result.total)
    if page > pages:  # a stale bookmark: show the last page instead of an empty one
        page = pages
        result = fetch(page)

    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "fields": field_list(),
        "selected_field": field,
        "result": result,
        "page": page,
        "pages": pages,
        "page_numbers": page_numbers(page, pages),
        "first_index": (page - 1) * PAGE_SIZE + 1,
        "query_string": params.urlencode(),
        "has_filters": bool(query or field or level or service_level),
    }
    if is_htmx_partial(request):
        return render(request, "catalog/_results.html", context)
    return render(request, "catalog/procedure_search.html", context)


@require_GET
def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        procedure = procedure_get(code=code)
    except Procedure.DoesNotExist:
        catalogue_code = procedure_code_normalise(code)
        if catalogue_code != code and Procedure.objects.filter(code=catalogue_code).exists():
            return redirect("catalog:procedure_detail", code=catalogue_code, permanent=True)
        return render(request, "catalog/procedure_not_found.html", {"code": code}, status=404)
    if not procedure.applies_here:
        # 404: the page must drop out of search engines, but a citizen following an old link learns why.
        return render(request, "catalog/procedure_not_here.html", {"procedure": procedure}, status=404)
    fees = list(procedure.fees.all())
    context = {
        "procedure": procedure,
        "fees": public_fees(fees),
        "fees_alternatives": fees_are_alternatives(fees),
        "process": procedure.current_processes[0] if procedure.current_processes else None,  # type: ignore[attr-defined]
        "channels": submission_channels(procedure),
        "online": procedure_online_eligibility(procedure),
        "search_url": reverse("catalog:procedure_search"),
    }
    return render(request, "catalog/procedure_detail.html", context)

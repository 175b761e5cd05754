"""Back-office pages of fees and payments — thu phí, lệ phí; đối soát (``payments`` does the work).

On the dossier page: the payments and receipts of the dossier, «Thu phí tại quầy» (card POS or
bank-transfer QR; cash is not an option), refunds by the unit's leader or supervisor.
``/can-bo/doi-soat/``: the day's reconciliation of a unit (gateway vs receipts vs dossiers), as a page
and as an Excel workbook.
"""

from __future__ import annotations

import io
from datetime import date

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from motcua.backoffice.access import forbidden, official_required
from motcua.backoffice.views import _access_record, _dossier_or_404, _real_user
from motcua.org.models import Role
from motcua.org.selectors import official_units
from motcua.payments import receipts, selectors, services
from motcua.payments.models import COUNTER_METHODS, Payment, PaymentMethod

# Who sees the reconciliation of a unit: its leaders, supervisors, admins and report viewers.
RECONCILIATION_ROLES = (
    Role.LEADER,
    Role.SUPERVISOR,
    Role.UNIT_ADMIN,
    Role.PROVINCE_ADMIN,
    Role.REPORT_VIEWER,
)


class CounterPaymentForm(forms.Form):
    """Thu phí tại quầy: the method, the POS slip's or the transfer's reference, the amount."""

    method = forms.ChoiceField(
        label=gettext_lazy("Hình thức"),
        choices=[(m.value, m.label) for m in COUNTER_METHODS],
        error_messages={
            "invalid_choice": gettext_lazy("Chỉ nhận thẻ (POS) hoặc chuyển khoản QR; không thu tiền mặt.")
        },
    )
    transaction_reference = forms.CharField(
        label=gettext_lazy("Mã giao dịch (hóa đơn POS / sao kê)"), max_length=100
    )
    amount_vnd = forms.IntegerField(label=gettext_lazy("Số tiền (đồng)"), min_value=1)


class RefundForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Lý do hoàn tiền"), max_length=1000)


@require_POST
@official_required
def counter_payment(request: HttpRequest, code: str) -> HttpResponse:
    d = _dossier_or_404(request, code)
    form = CounterPaymentForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("backoffice:dossier_payments", code=d.code)
    try:
        receipt = services.payment_counter_record(
            actor=_real_user(request),
            dossier=d,
            method=form.cleaned_data["method"],
            transaction_reference=form.cleaned_data["transaction_reference"],
            amount_vnd=form.cleaned_data["amount_vnd"],
        )
    except services.PaymentRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Đã ghi nhận thu phí và lập biên lai %(series)s số %(number)s.")
            % {"series": receipt.series, "number": receipt.number_display},
        )
    return redirect("backoffice:dossier_payments", code=d.code)


@require_GET
@official_required
def dossier_payments(request: HttpRequest, code: str) -> HttpResponse:
    """The dossier's payments, receipts and the counter form."""
    d = _dossier_or_404(request, code)
    payable = selectors.dossier_amount_payable(d) if d.is_open else 0
    user = _real_user(request)
    payments = list(selectors.dossier_payments(d))
    _access_record(request, d, "Xem thanh toán phí, lệ phí")
    context = {
        "d": d,
        "payments": payments,
        "payable_vnd": payable,
        "counter_form": CounterPaymentForm(initial={"amount_vnd": payable}) if payable else None,
        "refundable": {p.pk for p in payments if services.refund_allowed(actor=user, payment=p)},
        "refund_form": RefundForm(),
    }
    return render(request, "backoffice/dossier_payments.html", context)


@require_GET
@official_required
def receipt_pdf(request: HttpRequest, code: str, receipt_id: int) -> HttpResponse:
    d = _dossier_or_404(request, code)
    receipt = selectors.dossier_receipts(d).filter(pk=receipt_id).first()
    if receipt is None:
        raise Http404(_("Không tìm thấy biên lai."))
    _access_record(request, d, f"Tải biên lai {receipt.series}-{receipt.number_display}")
    pdf = receipts.receipt_pdf(receipt, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="bien-lai-{receipt.series}-{receipt.number_display}.pdf"'
    )
    return response


@require_POST
@official_required
def refund(request: HttpRequest, code: str, reference: str) -> HttpResponse:
    d = _dossier_or_404(request, code)
    payment = Payment.objects.filter(dossier=d, reference=reference).first()
    if payment is None:
        raise Http404(_("Không tìm thấy giao dịch."))
    form = RefundForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Vui lòng nêu lý do hoàn tiền."))
        return redirect("backoffice:dossier_payments", code=d.code)
    try:
        services.payment_refund(
            actor=_real_user(request), payment=payment, reason=form.cleaned_data["reason"]
        )
    except services.PaymentRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã hoàn tiền giao dịch %(ref)s.") % {"ref": payment.reference})
    return redirect("backoffice:dossier_payments", code=d.code)


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return timezone.localdate()


COLUMNS = (
    (gettext_lazy("Ngày"), 12),
    (gettext_lazy("Đơn vị thu"), 36),
    (gettext_lazy("Mã giao dịch"), 22),
    (gettext_lazy("Mã hồ sơ"), 28),
    (gettext_lazy("Hình thức"), 26),
    (gettext_lazy("Cổng"), 8),
    (gettext_lazy("Trạng thái"), 22),
    (gettext_lazy("Số tiền (đồng)"), 16),
    (gettext_lazy("Số tiền cổng báo (đồng)"), 18),
    (gettext_lazy("Biên lai"), 18),
    (gettext_lazy("Số tiền biên lai (đồng)"), 18),
    (gettext_lazy("Chênh lệch / cần xử lý"), 60),
)


def _workbook(rows: list[selectors.ReconciliationRow], *, day: date) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"Doi soat {day:%d-%m-%Y}"
    sheet.append([str(label) for label, _width in COLUMNS])
    for index, (_label, width) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E79")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in rows:
        sheet.append(
            [
                row.day,
                row.unit_name,
                row.reference,
                row.dossier_code,
                row.method,
                row.gateway,
                row.state,
                row.amount_vnd,
                row.gateway_amount_vnd,
                row.receipt,
                row.receipt_amount_vnd,
                "; ".join(row.problems),
            ]
        )
    for cells in sheet.iter_rows(min_row=2):
        cells[0].number_format = "DD/MM/YYYY"
        for cell in (cells[7], cells[8], cells[10]):
            cell.number_format = "#,##0"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@require_GET
@official_required
def reconciliation(request: HttpRequest) -> HttpResponse:
    """``/can-bo/doi-soat/?ngay=YYYY-MM-DD&don-vi=<id>[&xuat=xlsx]``, scoped to the official's units."""
    units = list(official_units(user=request.user, roles=RECONCILIATION_ROLES).order_by("name"))
    if not units:
        return forbidden(
            request, _("Chỉ lãnh đạo, giám sát, quản trị hoặc người xem báo cáo của đơn vị được đối soát.")
        )
    day = _day(request.GET.get("ngay", ""))
    chosen = request.GET.get("don-vi", "")
    unit_ids = [u.pk for u in units if str(u.pk) == chosen] or [u.pk for u in units]
    rows = selectors.reconciliation_rows(unit_ids=unit_ids, day=day)
    if request.GET.get("xuat") == "xlsx":
        response = HttpResponse(
            _workbook(rows, day=day),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="doi-soat-{day:%Y-%m-%d}.xlsx"'
        return response
    context = {
        "units": units,
        "chosen": chosen,
        "day": day,
        "rows": rows,
        "mismatches": sum(1 for r in rows if r.problems),
        "total_vnd": sum(r.amount_vnd for r in rows if r.receipt),
        "methods": PaymentMethod,
    }
    return render(request, "backoffice/reconciliation.html", context)

"""Phản ánh, kiến nghị (PAKN) in the back office: the list of the official's units and the answer form.

An official handling dossiers (a casework role) in a unit that received, decides or now handles the
dossier sees its applicants' feedback, open ones first, the most overdue first, and answers each one
once (``feedback.services.feedback_answer`` records who and when). Overseers (report viewers) do not
answer: the feedback is the applicant's personal data.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from motcua.accounts.models import Account
from motcua.backoffice.access import official_required
from motcua.core.paging import page_numbers
from motcua.feedback import selectors, services
from motcua.feedback.models import FeedbackStatus

PAGE_SIZE = 20


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("Nội dung trả lời"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Vui lòng nhập nội dung trả lời.")},
    )


def _official(request: HttpRequest) -> Account:
    user = request.user
    _pk = user.pk
    real = getattr(user, "_wrapped", user)
    assert isinstance(real, Account)
    return real


def _list_context(request: HttpRequest, *, bound: tuple[int, AnswerForm] | None = None) -> dict[str, object]:
    status = request.GET.get("trang_thai") or None
    if status not in FeedbackStatus.values:
        status = None
    try:
        wanted = max(1, int(request.GET.get("trang", "1")))
    except ValueError:
        wanted = 1
    page = selectors.feedback_list_for_official(
        user=request.user, status=status, page=wanted, page_size=PAGE_SIZE
    )
    rows = [
        (
            row,
            row.is_open and row.due_at < page.now,
            bound[1] if bound is not None and bound[0] == row.pk else AnswerForm(auto_id=f"tl{row.pk}-%s"),
        )
        for row in page.items
    ]
    return {
        "page": page,
        "rows": rows,
        "status": status or "",
        "statuses": FeedbackStatus.choices,
        "pages": page.num_pages,
        "page_numbers": page_numbers(page.page, page.num_pages),
    }


@require_GET
@official_required
def feedback_list(request: HttpRequest) -> HttpResponse:
    """Phản ánh, kiến nghị về hồ sơ của đơn vị tôi (open first, overdue first)."""
    return render(request, "backoffice/feedback_list.html", _list_context(request))


@require_POST
@official_required
def feedback_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Answer one feedback (once); an official outside the dossier's units gets a 404."""
    row = selectors.feedback_get_for_official(user=request.user, pk=pk)
    if row is None:
        raise Http404(_("Không tìm thấy phản ánh, kiến nghị."))
    form = AnswerForm(request.POST, auto_id=f"tl{pk}-%s")
    error = _("Chưa gửi được câu trả lời.")
    if form.is_valid():
        try:
            services.feedback_answer(
                actor=_official(request), feedback=row, answer=form.cleaned_data["answer"]
            )
        except services.FeedbackInvalid as exc:
            error = exc.message
            for message in exc.errors.values():
                form.add_error("answer", message)
        else:
            messages.success(
                request, _("Đã trả lời phản ánh, kiến nghị về hồ sơ %(code)s.") % {"code": row.dossier.code}
            )
            return redirect("backoffice:feedback_list")
    context = _list_context(request, bound=(pk, form))
    context["error"] = error
    return render(request, "backoffice/feedback_list.html", context, status=400)

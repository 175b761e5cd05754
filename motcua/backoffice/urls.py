"""Back office — /can-bo/ (officials only)."""

from __future__ import annotations

from django.urls import path

from motcua.backoffice import (
    dashboards,
    feedback,
    payments,
    personal_data,
    result_drafts,
    risks,
    signing_views,
    tokens,
    views,
)
from motcua.signin.views import LoginView

app_name = "backoffice"
urlpatterns = [
    # Officials' sign-in (password, then the second factor): motcua.signin.
    path("dang-nhap", LoginView.as_view(), name="login"),
    path("dang-xuat", views.LogoutView.as_view(), name="logout"),
    path("", views.queue, name="queue"),
    path("ho-so/<str:code>/", views.dossier_detail, name="dossier_detail"),
    path("ho-so/<str:code>/xu-ly/<slug:action>/", views.dossier_action, name="dossier_action"),
    path("ho-so/<str:code>/tep/<int:component_id>/", views.component_download, name="component_download"),
    path("ho-so/<str:code>/ket-qua/<int:document_id>/", views.result_download, name="result_download"),
    path("ho-so/<str:code>/bieu-mau/<slug:form>.pdf", views.dossier_form_pdf, name="dossier_form_pdf"),
    path("ho-so/<str:code>/du-thao-ket-qua.pdf", result_drafts.result_draft_pdf, name="result_draft_pdf"),
    path("ho-so/<str:code>/du-thao-ket-qua", result_drafts.result_draft_upload, name="result_draft_upload"),
    path("ho-so/<str:code>/thanh-toan/", payments.dossier_payments, name="dossier_payments"),
    path("ho-so/<str:code>/thanh-toan/thu-tai-quay", payments.counter_payment, name="counter_payment"),
    path("ho-so/<str:code>/thanh-toan/<str:reference>/hoan-tien", payments.refund, name="payment_refund"),
    path("ho-so/<str:code>/bien-lai/<int:receipt_id>.pdf", payments.receipt_pdf, name="receipt_pdf"),
    path("doi-soat/", payments.reconciliation, name="reconciliation"),
    path("tiep-nhan/", views.intake_start, name="intake_start"),
    path("tiep-nhan/tra-cuu-dan-cu", views.intake_population_lookup, name="intake_population_lookup"),
    path("tiep-nhan/phieu/<int:pk>/", views.intake_notice, name="intake_notice"),
    path("tiep-nhan/phieu/<int:pk>.pdf", views.intake_notice_pdf, name="intake_notice_pdf"),
    path("tiep-nhan/<str:procedure_code>/", views.intake_form, name="intake_form"),
    path("don-vi/", views.unit_overview, name="unit"),
    path("nguy-co-tre-han/", risks.risk_list, name="risks"),
    # Bảng điều hành (leadership, centres, report viewers), the dossiers behind a figure, exports.
    path("bao-cao/", dashboards.dashboard, name="dashboard"),
    path("bao-cao/ho-so/", dashboards.drilldown_list, name="dashboard_dossiers"),
    path("bao-cao/xuat/<slug:slug>.<str:ext>", dashboards.export_table, name="dashboard_export"),
    path("bao-cao/bao-cao-dinh-ky.<str:ext>", dashboards.periodic_report, name="periodic_report"),
    path("don-vi/so-theo-doi.pdf", views.ledger_pdf, name="ledger_pdf"),
    path("phan-anh/", feedback.feedback_list, name="feedback_list"),
    # Mã truy cập API của tôi: the official's own tokens (expiry, rotation, revocation).
    path("ma-truy-cap/", tokens.token_list, name="tokens"),
    path("ma-truy-cap/tao", tokens.token_create, name="token_create"),
    path("ma-truy-cap/<int:pk>/doi-ma", tokens.token_rotate, name="token_rotate"),
    path("ma-truy-cap/<int:pk>/thu-hoi", tokens.token_revoke, name="token_revoke"),
    # Ký số hàng loạt (leaders): the dossiers waiting for their signature, and each batch's progress.
    path("ky-so/", signing_views.signing_list, name="signing"),
    path("ky-so/lo/<int:batch_id>/", signing_views.signing_batch, name="signing_batch"),
    path("ho-so/<str:code>/ban-xem-truoc.pdf", signing_views.result_preview, name="result_preview"),
    path(
        "ho-so/<str:code>/ket-qua/<int:document_id>/ban-in.pdf",
        signing_views.result_printout,
        name="result_printout",
    ),
    path("phan-anh/<int:pk>/tra-loi", feedback.feedback_answer, name="feedback_answer"),
    # Xuất dữ liệu cá nhân theo yêu cầu (unit admins; the number in the POST body, never the URL).
    path("du-lieu-ca-nhan/", personal_data.personal_data_export_view, name="personal_data_export"),
]

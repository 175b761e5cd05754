from __future__ import annotations

from django.urls import path

from motcua.portal import (
    datastore_views,
    login_views,
    payment_views,
    privacy_views,
    seal_views,
    submission_views,
    transparency_views,
    verification_views,
    views,
)
from motcua.portal import my_dossiers as mine

app_name = "portal"
MINE = "ho-so-cua-toi/<str:code>"
urlpatterns = [
    path("tra-cuu", views.tracking_form, name="tracking"),
    path("tra-cuu/", views.tracking_form),
    path("tra-cuu/<str:code>", views.tracking_detail, name="tracking_detail"),
    path("tra-cuu/<str:code>/ket-qua/<int:document_id>", views.tracking_result, name="tracking_result"),
    # Hồ sơ của tôi (signed-in applicants).
    path("ho-so-cua-toi", mine.my_dossiers, name="my_dossiers"),
    path(MINE, mine.my_dossier_detail, name="my_dossier_detail"),
    path(f"{MINE}/bo-sung", mine.my_dossier_supplement, name="my_dossier_supplement"),
    path(f"{MINE}/rut-ho-so", mine.my_dossier_withdraw, name="my_dossier_withdraw"),
    path(f"{MINE}/tep/<int:component_id>", mine.my_dossier_file, name="my_dossier_file"),
    path(f"{MINE}/ket-qua/<int:document_id>", mine.my_dossier_result, name="my_dossier_result"),
    path(f"{MINE}/bieu-mau/<slug:form>.pdf", mine.my_dossier_form_pdf, name="my_dossier_form_pdf"),
    path(f"{MINE}/thanh-toan", payment_views.pay, name="my_dossier_pay"),
    path(f"{MINE}/bien-lai/<int:receipt_id>.pdf", payment_views.receipt_pdf, name="my_dossier_receipt"),
    path("thanh-toan/ket-qua/<slug:gateway>", payment_views.payment_return, name="payment_return"),
    path(f"{MINE}/danh-gia", mine.my_dossier_rate, name="my_dossier_rate"),
    path(f"{MINE}/phan-anh", mine.my_dossier_feedback, name="my_dossier_feedback"),
    # National-identity login (portal.login_views); MOTCUA_PORTAL_LOGIN_URL is the first.
    path("dang-nhap", login_views.login_page, name="login"),
    path("dang-nhap/vneid", login_views.login_start, name="login_start"),
    path("dang-nhap/vneid/callback", login_views.login_callback, name="login_callback"),
    path("dang-xuat", login_views.logout_view, name="logout"),
    # Online submission (nộp hồ sơ trực tuyến) and the drafts in progress.
    path("nop-truc-tuyen/dang-soan", submission_views.drafts_list, name="drafts"),
    path("nop-truc-tuyen/dang-soan/<int:draft_id>/xoa", submission_views.draft_discard, name="draft_discard"),
    path("nop-truc-tuyen/<str:code>", submission_views.submit_start, name="submit_start"),
    path("nop-truc-tuyen/<str:code>/<int:draft_id>/nop", submission_views.submit_send, name="submit_send"),
    path("nop-truc-tuyen/<str:code>/<int:draft_id>/da-nop", submission_views.submit_done, name="submit_done"),
    path(
        "nop-truc-tuyen/<str:code>/<int:draft_id>/<slug:step>",
        submission_views.submit_step,
        name="submit_step",
    ),
    # The personal data store (kho dữ liệu điện tử).
    path("kho-du-lieu", datastore_views.datastore_list, name="datastore"),
    path(
        "kho-du-lieu/<int:document_id>/tai-ve", datastore_views.datastore_download, name="datastore_download"
    ),
    path("kho-du-lieu/<int:document_id>/xoa", datastore_views.datastore_delete, name="datastore_delete"),
    path("thong-bao", views.notifications_page, name="notifications"),
    # Dữ liệu cá nhân của tôi: who viewed my data, download all of it (Decree 13/2023, docs/privacy.md).
    path("du-lieu-ca-nhan", privacy_views.personal_data_page, name="personal_data"),
    path("du-lieu-ca-nhan/tai-ve", privacy_views.personal_data_download, name="personal_data_download"),
    # Public verification of signed results (the QR code of every signed result leads here).
    path("xac-thuc", verification_views.verify_page, name="verify"),
    path("nhat-ky-niem-phong", seal_views.seals_page, name="audit_seals"),
    path("nhat-ky-niem-phong.json", seal_views.seals_json, name="audit_seals_json"),
    path("nhat-ky-niem-phong.csv", seal_views.seals_csv, name="audit_seals_csv"),
    # Công khai (transparency board) and dữ liệu mở (open data), anonymous.
    path("cong-khai/", transparency_views.transparency_page, name="transparency"),
    path("du-lieu-mo/", transparency_views.open_data_page, name="open_data"),
    path("du-lieu-mo/danh-muc.jsonld", transparency_views.open_data_catalog, name="open_data_catalog"),
    path(
        "du-lieu-mo/<slug:slug>.<str:ext>", transparency_views.open_data_download, name="open_data_download"
    ),
]

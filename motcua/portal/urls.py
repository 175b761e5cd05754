from __future__ import annotations

from django.urls import path

from motcua.portal import datastore_views, submission_views, views

app_name = "portal"
urlpatterns = [
    path("tra-cuu", views.tracking_form, name="tracking"),
    path("tra-cuu/", views.tracking_form),
    path("tra-cuu/<str:code>", views.tracking_detail, name="tracking_detail"),
    # Online submission (nộp hồ sơ trực tuyến) and the drafts in progress.
    path("nop-truc-tuyen/dang-soan", submission_views.drafts_list, name="drafts"),
    path("nop-truc-tuyen/dang-soan/<int:draft_id>/xoa", submission_views.draft_discard, name="draft_discard"),
    path("nop-truc-tuyen/<str:code>", submission_views.submit_start, name="submit_start"),
    path("nop-truc-tuyen/<str:code>/<int:draft_id>/nop", submission_views.submit_send, name="submit_send"),
    path("nop-truc-tuyen/<str:code>/<int:draft_id>/da-nop", submission_views.submit_done, name="submit_done"),
    path(
        "nop-truc-tuyen/<str:code>/<int:draft_id>/mau-01.pdf",
        submission_views.submit_receipt_pdf,
        name="submit_receipt",
    ),
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
]

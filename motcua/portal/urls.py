from __future__ import annotations

from django.urls import path

from motcua.portal import login_views, views
from motcua.portal import my_dossiers as mine

app_name = "portal"
MINE = "ho-so-cua-toi/<str:code>"
urlpatterns = [
    path("tra-cuu", views.tracking_form, name="tracking"),
    path("tra-cuu/", views.tracking_form),
    path("tra-cuu/<str:code>", views.tracking_detail, name="tracking_detail"),
    # Hồ sơ của tôi (signed-in applicants).
    path("ho-so-cua-toi", mine.my_dossiers, name="my_dossiers"),
    path(MINE, mine.my_dossier_detail, name="my_dossier_detail"),
    path(f"{MINE}/bo-sung", mine.my_dossier_supplement, name="my_dossier_supplement"),
    path(f"{MINE}/rut-ho-so", mine.my_dossier_withdraw, name="my_dossier_withdraw"),
    path(f"{MINE}/tep/<int:component_id>", mine.my_dossier_file, name="my_dossier_file"),
    path(f"{MINE}/bieu-mau/<slug:form>.pdf", mine.my_dossier_form_pdf, name="my_dossier_form_pdf"),
    path(f"{MINE}/danh-gia", mine.my_dossier_rate, name="my_dossier_rate"),
    path(f"{MINE}/phan-anh", mine.my_dossier_feedback, name="my_dossier_feedback"),
    # National-identity login (portal.login_views); MOTCUA_PORTAL_LOGIN_URL is the first.
    path("dang-nhap", login_views.login_page, name="login"),
    path("dang-nhap/vneid", login_views.login_start, name="login_start"),
    path("dang-nhap/vneid/callback", login_views.login_callback, name="login_callback"),
    path("dang-xuat", login_views.logout_view, name="logout"),
    path("thong-bao", views.notifications_page, name="notifications"),
]

from __future__ import annotations

from django.urls import path

from motcua.portal import login_views, views

app_name = "portal"
urlpatterns = [
    path("tra-cuu", views.tracking_form, name="tracking"),
    path("tra-cuu/", views.tracking_form),
    path("tra-cuu/<str:code>", views.tracking_detail, name="tracking_detail"),
    # National-identity login (portal.login_views); MOTCUA_PORTAL_LOGIN_URL is the first.
    path("dang-nhap", login_views.login_page, name="login"),
    path("dang-nhap/vneid", login_views.login_start, name="login_start"),
    path("dang-nhap/vneid/callback", login_views.login_callback, name="login_callback"),
    path("dang-xuat", login_views.logout_view, name="logout"),
]

"""Officials' sign-in — /can-bo/ (the password step itself is backoffice:login)."""

from __future__ import annotations

from django.urls import path

from motcua.signin import views

app_name = "signin"
urlpatterns = [
    path("dang-nhap/xac-thuc", views.second_factor, name="second_factor"),
    path("bao-mat/", views.security, name="security"),
    path("bao-mat/xac-thuc-hai-buoc", views.enrol, name="enrol"),
    path("bao-mat/khoa-bao-mat", views.security_keys, name="security_keys"),
    path("bao-mat/ma-khoi-phuc", views.recovery_codes_new, name="recovery_codes_new"),
    path("bao-mat/tat-xac-thuc-hai-buoc", views.second_factor_off, name="second_factor_off"),
    path("bao-mat/dang-xuat-moi-noi", views.sessions_end, name="sessions_end"),
    path("bao-mat/khoa-dang-nhap", views.lockouts, name="lockouts"),
]

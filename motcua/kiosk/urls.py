from __future__ import annotations

from django.urls import path

from motcua.kiosk import views

app_name = "kiosk"
urlpatterns = [
    path("", views.home, name="home"),
    path("tin-nhan", views.message, name="message"),
    path("xoa", views.clear, name="clear"),
]

from __future__ import annotations

from django.urls import path

from motcua.portal import views

app_name = "portal"
urlpatterns = [
    path("tra-cuu", views.tracking_form, name="tracking"),
    path("tra-cuu/", views.tracking_form),
    path("tra-cuu/<str:code>", views.tracking_detail, name="tracking_detail"),
    path("thong-bao", views.notifications_page, name="notifications"),
]

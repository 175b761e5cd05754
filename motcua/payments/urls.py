"""URLs of the payments extension: the gateways' notifications and the public receipt check."""

from __future__ import annotations

from django.urls import path

from motcua.payments import views

app_name = "payments"
urlpatterns = [
    path("thanh-toan/ipn/<slug:gateway>", views.ipn, name="ipn"),
    path("bien-lai/<str:code>", views.receipt_verify, name="receipt_verify"),
]

from __future__ import annotations

from django.urls import path

from motcua.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.procedure_search, name="procedure_search"),
]

from __future__ import annotations

from django.urls import path

from motcua.assistant import views

app_name = "assistant"
urlpatterns = [
    path("tro-ly-ao", views.chat_page, name="page"),
    path("tro-ly-ao/tin-nhan", views.chat_message, name="message"),
    path("tro-ly-ao/xoa", views.chat_clear, name="clear"),
    path("tro-ly-ao/mo/<str:code>", views.open_procedure, name="open"),
]

"""The kiosk's screen ``/kiosk/``: large buttons (find a procedure, track a dossier, ask the assistant)
and the assistant's chat in large type. No login, nothing personal kept on the kiosk: the conversation
cookie expires with the conversation, and «Bắt đầu lại» clears it for the next person."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from motcua.assistant import views as assistant_views

TEMPLATE = "kiosk/home.html"
HOME = "kiosk:home"


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    response = assistant_views.chat_page(request, template=TEMPLATE)
    response["X-Frame-Options"] = "DENY"
    return response


@csrf_exempt  # as the assistant's own endpoint (assistant.views)
@require_POST
def message(request: HttpRequest) -> HttpResponse:
    return assistant_views.chat_message(request, template=TEMPLATE, home=HOME)


@csrf_exempt
@require_POST
def clear(request: HttpRequest) -> HttpResponse:
    return assistant_views.chat_clear(request, home=HOME)

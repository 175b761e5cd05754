"""The assistant's pages: the chat page ``/tro-ly-ao`` (works without JavaScript), the message
endpoint the portal's chat panel and the kiosk post to (htmx fragment), clearing, and the
click-through recorder of answer links.

The conversation id is kept in a cookie of its own (``motcua_assistant``): opaque, random, nothing
personal; no Django session is opened for it.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.assistant.rate import assistant_rate_limited
from motcua.assistant.selectors import conversation_get, conversation_messages
from motcua.assistant.services import (
    AssistantInvalid,
    assistant_reply,
    conversation_clear,
    conversation_minutes,
    question_log_choose,
)

COOKIE = "motcua_assistant"
PAGE = "assistant/page.html"
HOME = "assistant:page"


def _conversation_id(request: HttpRequest) -> str:
    return str(request.POST.get("conversation_id") or request.COOKIES.get(COOKIE, ""))[:64]


def _context(request: HttpRequest, *, error: str = "") -> dict[str, object]:
    conversation = conversation_get(conversation_id=request.COOKIES.get(COOKIE, ""))
    return {
        "conversation": conversation,
        "messages": conversation_messages(conversation=conversation) if conversation else [],
        "error": error,
        "action": reverse("assistant:message"),
    }


def _with_cookie(response: HttpResponse, conversation_id: str) -> HttpResponse:
    response.set_cookie(
        COOKIE,
        conversation_id,
        max_age=conversation_minutes() * 60,
        httponly=True,
        samesite="Lax",
        secure=not settings.DEBUG and getattr(settings, "SESSION_COOKIE_SECURE", False),
    )
    add_never_cache_headers(response)
    return response


@require_GET
def chat_page(request: HttpRequest, *, template: str = PAGE) -> HttpResponse:
    """The full chat page (no-JS fallback of the panel; the kiosk's screen); ``?log=1``: only the
    messages so far (the panel loads them when it opens on another page)."""
    if request.GET.get("log"):
        template = "assistant/_log.html"
    response = render(request, template, _context(request))
    add_never_cache_headers(response)
    return response


# No CSRF token: the chat sits on cacheable public pages, is anonymous, and a forged post can only add
# a message to (or clear) the visitor's own short-lived conversation — as the API, which is exempt too.
@csrf_exempt
@require_POST
def chat_message(request: HttpRequest, *, template: str = PAGE, home: str = HOME) -> HttpResponse:
    """One message: an htmx request gets the new exchange as a fragment; a plain form post is
    redirected back to the page (post/redirect/get), which shows the whole conversation."""
    htmx = request.headers.get("HX-Request") == "true"
    text = str(request.POST.get("message", ""))
    wait = assistant_rate_limited(request)
    error = ""
    reply = None
    if wait:
        error = _("Bạn hỏi quá nhanh. Vui lòng thử lại sau %(n)s giây.") % {"n": wait}
    else:
        try:
            reply = assistant_reply(
                text=text,
                conversation_id=_conversation_id(request),
                choose=str(request.POST.get("choose", "")),
                request=request,
            )
        except AssistantInvalid as exc:
            error = str(exc)
    if htmx:
        response = render(
            request,
            "assistant/_exchange.html",
            {"question": text.strip(), "reply": reply, "error": error},
            status=200 if reply or not error else (429 if wait else 400),
        )
    else:
        if reply is None:
            context = _context(request, error=error)
            response = render(request, template, context, status=429 if wait else 400)
            add_never_cache_headers(response)
            return response
        response = redirect(reverse(home) + "#cuoi")
    return _with_cookie(response, reply.conversation_id) if reply else response


@csrf_exempt
@require_POST
def chat_clear(request: HttpRequest, *, home: str = HOME) -> HttpResponse:
    """«Xóa hội thoại»: the conversation and its messages are deleted at once."""
    conversation_clear(conversation_id=_conversation_id(request))
    response = HttpResponse("") if request.headers.get("HX-Request") == "true" else redirect(home)
    response.delete_cookie(COOKIE)
    return response


@require_http_methods(["GET", "HEAD"])
def open_procedure(request: HttpRequest, code: str) -> HttpResponseRedirect:
    """An answer's procedure link: note which procedure the user opened, then go to its page."""
    question_log_choose(conversation_id=str(request.GET.get("c", ""))[:64], code=code)
    return redirect("catalog:procedure_detail", code=code)

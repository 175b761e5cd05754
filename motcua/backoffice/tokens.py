"""Mã truy cập API của tôi — an official's own API tokens: see them, make one, rotate, revoke.

Each official sees only their own tokens (``identity.selectors.api_token_of`` filters by the account,
so another official's token number is a 404). A new token's text is shown once, on the page that
answers the POST, and never again: only its prefix and hash are stored.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from motcua.accounts.models import Account
from motcua.backoffice.access import official_required
from motcua.identity import selectors, services


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Tên gợi nhớ (ví dụ: phần mềm một cửa của phòng)"),
        max_length=services.MAX_NAME,
        required=False,
    )


def _account(request: HttpRequest) -> Account:
    user = getattr(request.user, "_wrapped", request.user)
    assert isinstance(user, Account)
    return user


def _page(request: HttpRequest, *, new_token: str = "", form: TokenForm | None = None) -> HttpResponse:
    context = {
        "tokens": selectors.api_tokens_of(user=_account(request)),
        "form": form or TokenForm(),
        "new_token": new_token,
        "days": services.token_lifetime_days(),
    }
    response = render(request, "backoffice/tokens.html", context)
    response["Cache-Control"] = "no-store"  # the page may show a token's text once
    return response


@require_GET
@official_required
def token_list(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@official_required
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form)
    _row, text = services.api_token_create(user=_account(request), name=form.cleaned_data["name"])
    return _page(request, new_token=text)


@require_POST
@official_required
def token_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.api_token_of(user=_account(request), pk=pk)
    if token is None:
        raise Http404
    try:
        _row, text = services.api_token_rotate(token=token)
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("backoffice:tokens")
    return _page(request, new_token=text)


@require_POST
@official_required
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.api_token_of(user=_account(request), pk=pk)
    if token is None:
        raise Http404
    services.api_token_revoke(token=token)
    messages.success(request, _("Đã thu hồi mã %(prefix)s…") % {"prefix": token.prefix})
    return redirect("backoffice:tokens")

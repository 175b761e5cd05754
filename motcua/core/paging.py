"""Paging and htmx helpers shared by the server-rendered lists (catalogue search, back-office queues)."""

from __future__ import annotations

from django.http import HttpRequest


def page_numbers(page: int, pages: int) -> list[int | None]:
    """Page links around the current page, with None for an ellipsis: 1 … 4 5 [6] 7 8 … 20."""
    out: list[int | None] = []
    previous = 0
    for n in sorted({1, pages, *range(page - 2, page + 3)}):
        if not 1 <= n <= pages:
            continue
        if n - previous > 1:
            out.append(None)
        out.append(n)
        previous = n
    return out


def is_htmx_partial(request: HttpRequest) -> bool:
    """An htmx request that swaps part of the page (django-htmx's ``request.htmx``).

    A history-restore request (back button after ``hx-push-url``) needs the whole page.
    """
    htmx = getattr(request, "htmx", None)
    return bool(htmx and not htmx.history_restore_request)

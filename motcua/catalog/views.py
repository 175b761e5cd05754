from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def procedure_search(request: HttpRequest) -> HttpResponse:
    return HttpResponse("motcua")

"""Bare Django views that do the nearest trivial work to each benchmarked endpoint.

They run in the same server, same process model and same middleware stack as the real endpoints, so
a ratio against them isolates the cost of our own code.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import path

from motcua.catalog.models import Procedure
from motcua.urls import urlpatterns as app_urlpatterns


def bare_json(request: HttpRequest) -> JsonResponse:
    """Parse the same query parameters as the due-date API and echo them back: no calendar work."""
    return JsonResponse(
        {
            "start": request.GET.get("start", ""),
            "amount": request.GET.get("amount", ""),
            "unit": request.GET.get("unit", ""),
        }
    )


def bare_procedure_read(request: HttpRequest) -> JsonResponse:
    """One primary-key read of a procedure, serialised: the floor under any search request."""
    row = Procedure.objects.filter(pk=int(request.GET.get("id", "1"))).values("code", "name").first()
    return JsonResponse({"item": row})


urlpatterns = [
    path("bench/bare-json", bare_json),
    path("bench/bare-procedure", bare_procedure_read),
    *app_urlpatterns,
]

"""HEAD answered like GET on every route (``core.middleware.HeadAsGetMiddleware``).

A load balancer's ``HEAD /healthz`` answered 405 would take the service out of rotation.
"""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from motcua.core.middleware import HeadAsGetMiddleware

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/", "text/html"),
        ("/healthz", "application/json"),
        ("/thu-tuc/", "text/html"),
        ("/tra-cuu", "text/html"),
        ("/can-bo/dang-nhap", "text/html"),
        ("/api/v1/procedures", "application/json"),
        ("/api/v1/calendar/days?from=2026-12-01&to=2026-12-07", "application/json"),
    ],
)
def test_head_answers_like_get_without_a_body(client: Client, path: str, content_type: str) -> None:
    get = client.get(path)
    head = client.head(path)
    assert get.status_code == 200, get.content[:300]
    assert head.status_code == 200
    assert head["Content-Type"].startswith(content_type)
    assert head.content == b""


def test_head_on_a_post_only_route_is_refused_like_get(client: Client) -> None:
    get = client.get("/api/v1/dossiers/000.00.00.H49-260101-0001/actions/accept")
    head = client.head("/api/v1/dossiers/000.00.00.H49-260101-0001/actions/accept")
    assert get.status_code == head.status_code == 405
    assert head["Allow"] == get["Allow"]


def test_the_view_sees_get_and_the_request_stays_head_afterwards(rf: RequestFactory) -> None:
    seen: list[str | None] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(request.method)
        return HttpResponse("body")

    request = rf.head("/")
    HeadAsGetMiddleware(view)(request)
    assert seen == ["GET"]
    assert request.method == "HEAD"

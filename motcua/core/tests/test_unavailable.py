"""A database or file store that is down: a Vietnamese 503 (API error shape under /api/), not a 500 trace;
a failed write of the local store leaves no partial file. The real faults: bench/drills/fault_drills.py."""

from __future__ import annotations

import errno
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from botocore.exceptions import EndpointConnectionError  # type: ignore[import-untyped]
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from motcua.core.storage import LocalFileStorage
from motcua.urls import urlpatterns as project_urlpatterns


def _raiser(exc: Exception) -> Callable[[HttpRequest], HttpResponse]:
    def view(request: HttpRequest) -> HttpResponse:
        raise exc

    return view


def _wrapped(request: HttpRequest) -> HttpResponse:
    try:
        raise OSError(errno.ENOSPC, "No space left on device")
    except OSError as exc:
        raise RuntimeError("could not store the upload") from exc


urlpatterns = [
    path("api/v1/test-db-down", _raiser(OperationalError("connection refused"))),
    path("api/v1/test-disk-full", _raiser(OSError(errno.ENOSPC, "No space left on device"))),
    path("api/v1/test-s3-down", _raiser(EndpointConnectionError(endpoint_url="http://s3.invalid"))),
    path("api/v1/test-wrapped", _wrapped),
    path("api/v1/test-bug", _raiser(ValueError("a bug"))),
    path("test-db-down", _raiser(OperationalError("server closed the connection unexpectedly"))),
    *project_urlpatterns,
]
handler500 = "motcua.core.unavailable.server_error"


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=False)


@pytest.mark.django_db
@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    ("url", "code", "words"),
    [
        ("/api/v1/test-db-down", "database_unavailable", "không kết nối được cơ sở dữ liệu"),
        ("/api/v1/test-disk-full", "storage_unavailable", "không lưu được tệp đính kèm"),
        ("/api/v1/test-s3-down", "storage_unavailable", "không lưu được tệp đính kèm"),
        ("/api/v1/test-wrapped", "storage_unavailable", "không lưu được tệp đính kèm"),
    ],
)
def test_an_api_request_gets_a_vietnamese_503_in_the_error_shape(
    client: Client, url: str, code: str, words: str
) -> None:
    response = client.get(url)
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert response["Retry-After"] == "10"
    body = json.loads(response.content)
    assert body["code"] == code
    assert words in body["detail"]
    assert "thử lại" in body["detail"]
    assert body["errors"] == {}


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_page_gets_the_vietnamese_503_page(client: Client) -> None:
    response = client.get("/test-db-down")
    assert response.status_code == 503
    html = response.content.decode()
    assert "Dịch vụ tạm gián đoạn" in html
    assert "không kết nối được cơ sở dữ liệu" in html
    assert "OperationalError" not in html
    assert "server closed" not in html


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_any_other_error_stays_a_500(client: Client) -> None:
    assert client.get("/api/v1/test-bug").status_code == 500


class _DiskFills(File):
    """An upload whose second chunk meets a full disk (what ``write`` raises then)."""

    def __init__(self) -> None:
        super().__init__(None, name="don.pdf")

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        yield b"%PDF-1.7 first chunk"
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_write_that_fails_leaves_no_partial_file(tmp_path: Path) -> None:
    storage = LocalFileStorage(location=tmp_path)
    with pytest.raises(OSError, match="No space left"):
        storage.save("components/ab/cd/abcd.pdf", _DiskFills())
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    # Django's own storage leaves the truncated file under the final name: the reason for the class.
    django_storage = FileSystemStorage(location=tmp_path / "django")
    with pytest.raises(OSError, match="No space left"):
        django_storage.save("components/ab/cd/abcd.pdf", _DiskFills())
    assert [p.name for p in (tmp_path / "django").rglob("*") if p.is_file()] == ["abcd.pdf"]


def test_a_write_that_succeeds_is_whole_readable_and_never_overwrites(tmp_path: Path) -> None:
    storage = LocalFileStorage(location=tmp_path)
    first = storage.save("results/ab/x.pdf", ContentFile(b"one", name="x.pdf"))
    second = storage.save("results/ab/x.pdf", ContentFile(b"two", name="x.pdf"))
    assert first == "results/ab/x.pdf"
    assert second != first
    assert (tmp_path / first).read_bytes() == b"one"
    assert (tmp_path / second).read_bytes() == b"two"
    assert (tmp_path / first).stat().st_mode & 0o777 == 0o644
    assert not list(tmp_path.rglob(".partial-*"))

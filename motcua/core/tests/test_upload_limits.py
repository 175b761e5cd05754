"""Over-large uploads are stopped before they are read: a multipart body over
``MOTCUA_UPLOAD_MAX_REQUEST_BYTES`` from its Content-Length, a file over ``MOTCUA_UPLOAD_MAX_BYTES``
while it arrives (``core.uploads.UploadLimitHandler``). The body is streamed through the site's WSGI
application (``motcua.wsgi``) and every byte it reads is counted.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from io import BytesIO
from typing import Any

import pytest

from motcua.wsgi import application

pytestmark = pytest.mark.django_db

BOUNDARY = "ranh-gioi-0123456789"
MB = 1024 * 1024


class CountingInput:
    """``wsgi.input`` that makes its bytes on demand (nothing is held in memory) and counts the reads."""

    def __init__(self, head: bytes, filler: int, tail: bytes) -> None:
        self.parts: Iterator[bytes] = self._parts(head, filler, tail)
        self.pending = b""
        self.read_bytes = 0

    @staticmethod
    def _parts(head: bytes, filler: int, tail: bytes) -> Iterator[bytes]:
        yield head
        block = b"\0" * (256 * 1024)
        while filler > 0:
            yield block[: min(filler, len(block))]
            filler -= len(block)
        yield tail

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self.pending) < size:
            try:
                self.pending += next(self.parts)
            except StopIteration:
                break
        if size < 0:
            size = len(self.pending)
        data, self.pending = self.pending[:size], self.pending[size:]
        self.read_bytes += len(data)
        return data

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


def _multipart(file_size: int, *, name: str = "scan.pdf") -> tuple[CountingInput, int]:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="summary"\r\n\r\nĐơn\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="doc_1_file"; filename="{name}"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    return CountingInput(head, file_size, tail), len(head) + file_size + len(tail)


def _send(path: str, stream: CountingInput, length: int) -> tuple[int, dict[str, str], bytes]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(length),
        "wsgi.input": stream,
        "wsgi.errors": BytesIO(),
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        answer["status"] = int(status.split()[0])
        answer["headers"] = dict(headers)

    body = b"".join(application(environ, start_response))  # type: ignore[arg-type]
    return answer["status"], answer["headers"], body


def test_a_150_mb_multipart_body_to_the_api_is_refused_unread_in_the_error_shape() -> None:
    stream, length = _multipart(150 * MB)
    status, headers, body = _send("/api/v1/dossiers", stream, length)
    assert status == 413
    assert headers["Content-Type"].startswith("application/json")
    assert json.loads(body) == {
        "detail": "Nội dung gửi lên quá lớn: tổng các tệp đính kèm tối đa 100 MB, mỗi tệp tối đa 20 MB.",
        "code": "too_large",
        "errors": {},
        "current_version": None,
    }
    assert stream.read_bytes == 0


def test_a_150_mb_multipart_form_is_a_vietnamese_413_page_unread() -> None:
    stream, length = _multipart(150 * MB)
    status, _headers, body = _send("/can-bo/tiep-nhan/1.000001/", stream, length)
    assert status == 413
    html = body.decode()
    assert '<html lang="vi">' in html
    assert "tổng các tệp đính kèm tối đa 100 MB" in html
    assert stream.read_bytes == 0


def test_a_file_over_its_limit_is_stopped_while_it_arrives(settings: Any) -> None:
    """Within the total limit, a 50 MB file stops being read soon after its 1 MB limit (the unread rest
    is not drained here — ``core.unread_body`` — to see where the parsing stopped)."""
    settings.MOTCUA_UPLOAD_MAX_BYTES = 1 * MB
    settings.MOTCUA_UNREAD_BODY_DRAIN_BYTES = 0
    stream, length = _multipart(50 * MB, name="ban-quet-lon.pdf")
    status, _headers, body = _send("/can-bo/tiep-nhan/1.000001/", stream, length)
    assert status == 413
    assert "Tệp «ban-quet-lon.pdf» lớn hơn 1 MB (giới hạn mỗi tệp)." in body.decode()
    assert stream.read_bytes < 2 * MB < length


def test_the_total_limit_is_a_setting(settings: Any) -> None:
    settings.MOTCUA_UPLOAD_MAX_REQUEST_BYTES = 3 * MB
    settings.MOTCUA_UNREAD_BODY_DRAIN_BYTES = 0
    stream, length = _multipart(4 * MB)
    status, _headers, body = _send("/api/v1/dossiers", stream, length)
    assert status == 413
    assert "tổng các tệp đính kèm tối đa 3 MB" in json.loads(body)["detail"]
    assert stream.read_bytes == 0

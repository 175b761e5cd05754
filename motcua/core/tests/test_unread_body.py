"""What a request left unread of its body is read to its end before the answer leaves
(``core.unread_body``), through the site's WSGI application, with every byte read counted."""

from __future__ import annotations

import json
from io import BytesIO
from typing import Any

import pytest

from motcua.core.tests.test_upload_limits import MB, _multipart, _send
from motcua.core.unread_body import unread_body_drain

pytestmark = pytest.mark.django_db

OVER_TOTAL = {"MOTCUA_UPLOAD_MAX_REQUEST_BYTES": 3 * MB}  # a 413 from the declared length
OVER_FILE = {"MOTCUA_UPLOAD_MAX_BYTES": 1 * MB}  # a 413 once the file passes 1 MB


@pytest.mark.parametrize(
    ("path", "limits", "status", "says"),
    [
        ("/api/v1/dossiers", OVER_TOTAL, 413, "tổng các tệp đính kèm tối đa 3 MB"),
        ("/can-bo/tiep-nhan/1.000001/", OVER_TOTAL, 413, "tổng các tệp đính kèm tối đa 3 MB"),
        ("/can-bo/tiep-nhan/1.000001/", OVER_FILE, 413, "lớn hơn 1 MB (giới hạn mỗi tệp)"),
        # Within the limits, but no token: the API answers before it reads a byte.
        ("/api/v1/dossiers", OVER_FILE, 401, "Chưa xác thực"),
    ],
)
def test_an_answer_given_before_the_body_was_read_leaves_after_the_body_was_read_to_its_end(
    settings: Any, path: str, limits: dict[str, int], status: int, says: str
) -> None:
    """A fault drill through nginx: gunicorn closed the connection on the unread rest of a refused
    upload while nginx was still sending it, and the user saw nginx's 502 in place of the 413."""
    for name, value in limits.items():
        setattr(settings, name, value)
    settings.MOTCUA_UNREAD_BODY_DRAIN_BYTES = 10 * MB
    stream, length = _multipart(4 * MB)
    answer, _headers, body = _send(path, stream, length)
    assert answer == status
    text = json.loads(body)["detail"] if path.startswith("/api/") else body.decode()
    assert says in text
    assert stream.read_bytes == length

    # Declared larger than the proxy lets through: only a client talking to the server directly sends
    # that, and the rest stays unread.
    settings.MOTCUA_UNREAD_BODY_DRAIN_BYTES = length - 1
    stream, length = _multipart(4 * MB)
    assert _send(path, stream, length)[0] == status
    assert stream.read_bytes < length


def test_the_drain_reads_no_further_than_the_declared_length_and_skips_a_bad_one(settings: Any) -> None:
    settings.MOTCUA_UNREAD_BODY_DRAIN_BYTES = MB
    stream = BytesIO(b"x" * 1000)
    assert unread_body_drain({"CONTENT_LENGTH": "600", "wsgi.input": stream}) == 600
    assert stream.tell() == 600  # the bytes after the body (another request's) are left alone
    for declared in ("", "0", "-5", "abc", str(MB + 1)):
        stream = BytesIO(b"x" * 1000)
        assert unread_body_drain({"CONTENT_LENGTH": declared, "wsgi.input": stream}) == 0
        assert stream.tell() == 0
    stream = BytesIO(b"x" * 100)  # shorter than declared (the client stopped): ends at the stream's end
    assert unread_body_drain({"CONTENT_LENGTH": "600", "wsgi.input": stream}) == 100

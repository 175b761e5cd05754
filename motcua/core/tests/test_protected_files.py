"""Authorised downloads handed to nginx (``MOTCUA_PROTECTED_FILES_ACCEL_PREFIX``, X-Accel-Redirect): the same
integrity check as a streamed download, an empty answer naming the file under the internal location,
and the streamed answer wherever nginx cannot send the file (no prefix, another storage, an odd name).
The whole path through a real nginx: tests/deploy/test_stack.py."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, InMemoryStorage, Storage
from django.db.models import FileField
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

from motcua.core.storage import StoredFileAltered, accel_redirect_path, content_name, stored_file_response

CONTENT = b"%PDF-1.7 giay chung nhan"
SHA = hashlib.sha256(CONTENT).hexdigest()
NO_ROW: Any = None  # the storage check needs no model row


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_PROTECTED_FILES_ACCEL_PREFIX = "/_protected/"
    return tmp_path / "media"


def _stored(storage: Storage, name: str, content: bytes = CONTENT) -> FieldFile:
    saved = storage.save(name, ContentFile(content))
    return FieldFile(NO_ROW, FileField(storage=storage), saved)


def _respond(file: FieldFile, *, sha256: str = SHA, filename: str = "ket-qua.pdf") -> Any:
    return stored_file_response(file, sha256=sha256, filename=filename, content_type="application/pdf")


def test_a_checked_local_file_is_named_to_nginx_with_the_answers_headers(media: Path):
    file = _stored(FileSystemStorage(location=media), content_name("results", SHA, "x.pdf"))
    response = _respond(file, filename="Giấy chứng nhận quyền sử dụng đất.pdf")
    assert not isinstance(response, FileResponse)
    assert response.content == b""
    assert response["X-Accel-Redirect"] == f"/_protected/results/{SHA[:2]}/{SHA[2:4]}/{SHA}.pdf"
    assert response["Content-Type"] == "application/pdf"
    # RFC 5987 / 6266: the Vietnamese name survives, percent-encoded in UTF-8.
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Gi%E1%BA%A5y%20ch%E1%BB%A9ng%20nh%E1%BA%ADn%20quy%E1%BB%81n"
        "%20s%E1%BB%AD%20d%E1%BB%A5ng%20%C4%91%E1%BA%A5t.pdf"
    )
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_altered_or_missing_bytes_are_refused_before_nginx_is_asked(media: Path):
    storage = FileSystemStorage(location=media)
    altered = _stored(storage, content_name("results", SHA, "x.pdf"), content=CONTENT + b" sua")
    with pytest.raises(StoredFileAltered):
        _respond(altered)
    gone = FieldFile(NO_ROW, FileField(storage=storage), "results/00/00/khong-co.pdf")
    with pytest.raises(Http404):
        _respond(gone)


def test_without_the_prefix_the_file_is_streamed_as_before(media: Path, settings: Any):
    settings.MOTCUA_PROTECTED_FILES_ACCEL_PREFIX = ""
    file = _stored(FileSystemStorage(location=media), content_name("results", SHA, "x.pdf"))
    response = _respond(file)
    assert isinstance(response, FileResponse)
    assert b"".join(response.streaming_content) == CONTENT  # type: ignore[arg-type]
    assert not response.has_header("X-Accel-Redirect")


@pytest.mark.parametrize("where", ["other storage (S3 keeps streaming)", "folder other than MEDIA_ROOT"])
def test_files_nginx_cannot_reach_are_streamed(media: Path, tmp_path: Path, where: str):
    storage: Storage = InMemoryStorage() if where.startswith("other") else FileSystemStorage(tmp_path / "x")
    file = _stored(storage, content_name("results", SHA, "x.pdf"))
    assert accel_redirect_path(file) is None
    assert isinstance(_respond(file), FileResponse)


def test_names_are_percent_encoded_and_never_leave_the_folder(media: Path):
    storage = FileSystemStorage(location=media)
    field = FileField(storage=storage)
    assert accel_redirect_path(FieldFile(NO_ROW, field, "results/unhashed/đơn xin#1.pdf")) == (
        "/_protected/results/unhashed/%C4%91%C6%A1n%20xin%231.pdf"
    )
    for name in ("../etc/passwd", "results/../../x", "/etc/passwd", "results//x.pdf", "a\\b.pdf", ""):
        assert accel_redirect_path(FieldFile(NO_ROW, field, name)) is None, name

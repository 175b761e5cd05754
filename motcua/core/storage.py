"""Stored files — tệp lưu trữ: content-addressed names and the integrity check on every download.

Every file (dossier components, result documents and drafts, data-store documents, the portal's draft
components) goes through Django's storage API: the local filesystem by default, S3-compatible object
storage when ``MOTCUA_STORAGE=s3`` (django-storages, settings only). A file is stored under a name
derived from its SHA-256 (``results/ab/cd/<sha256>.pdf``), and storages never overwrite (Django's
``FileSystemStorage`` and django-storages with ``file_overwrite=False`` pick a fresh name), so a name,
once written, always holds the bytes it was written with.

The SHA-256 recorded beside each file is checked when it is served: ``stored_file_response`` copies
the object while hashing it and refuses to send altered bytes (``StoredFileAltered``, answered with a
Vietnamese 409 by ``core.middleware.StoredFileAlteredMiddleware``, and logged as an error).

Behind nginx (deploy/nginx/motcua.conf), ``MOTCUA_PROTECTED_FILES_ACCEL_PREFIX`` hands the sending of a
local file to nginx (``X-Accel-Redirect`` to an ``internal`` location): the view still decides who may
download and the bytes are still hashed and checked first, but a slow client then holds a connection of
nginx instead of one of gunicorn's few threads for the whole transfer (docs/architecture.md §32).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.deconstruct import deconstructible
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from motcua.core.text import fold

logger = logging.getLogger(__name__)

# Kept in memory up to this size while hashing, spilled to a temporary file beyond.
_SPOOL_BYTES = 4 * 1024 * 1024
_CHUNK = 256 * 1024


class _WrittenFile:
    """A file already on disk, handed to ``FileSystemStorage._save`` to be moved into place."""

    def __init__(self, path: str) -> None:
        self.path = path

    def temporary_file_path(self) -> str:
        return self.path


class LocalFileStorage(FileSystemStorage):
    """The local store (``MOTCUA_STORAGE=local``): Django's, but a failed write leaves no partial file.

    Django streams an upload straight into its final name and, when the disk fills up mid-write
    (``ENOSPC``), leaves the truncated file there: a file no row points at, under a content-addressed
    name whose bytes do not match it. Here the bytes go to a hidden temporary file in the target folder
    first, removed if the write fails; a complete file is then renamed into place (same filesystem,
    so the rename is atomic) by Django's own code, which keeps its never-overwrite naming. The fault
    drill ``bench/drills/fault_drills.py storage`` fills a small disk to check it.
    """

    def _save(self, name: str, content: Any) -> str:
        if hasattr(content, "temporary_file_path"):  # already a whole file on disk: moved, not written
            return str(super()._save(name, content))  # type: ignore[misc]  # (_save is not in django-stubs)
        directory = os.path.dirname(self.path(name))
        os.makedirs(directory, exist_ok=True)
        fd, partial = tempfile.mkstemp(dir=directory, prefix=".partial-")
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in content.chunks():
                    out.write(chunk if isinstance(chunk, bytes) else chunk.encode())
            # mkstemp makes the file private (0600); Django's own writes leave it to the umask.
            mode = self.file_permissions_mode
            os.chmod(partial, mode if mode is not None else 0o644)
            return str(super()._save(name, _WrittenFile(partial)))  # type: ignore[misc]
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.remove(partial)
            raise


class StoredFileAltered(Exception):
    """A stored file's bytes no longer match the SHA-256 recorded when it was stored."""

    def __init__(self, name: str, *, expected: str, actual: str) -> None:
        super().__init__(f"{name}: expected sha256 {expected}, found {actual}")
        self.name, self.expected, self.actual = name, expected, actual


def content_name(prefix: str, sha256: str, filename: str) -> str:
    """``<prefix>/ab/cd/<sha256><.ext>``: two levels of fan-out keep directories (and S3 listings) small."""
    ext = os.path.splitext(filename)[1].lower()
    if not ext[1:].isalnum() or len(ext) > 6:
        ext = ""
    return f"{prefix}/{sha256[:2]}/{sha256[2:4]}/{sha256}{ext}"


@deconstructible
class ContentAddressed:
    """``upload_to`` of a FileField whose model records the SHA-256 in ``sha_field`` before saving the file.

    A row without a hash yet (never the case in our services) falls back to a dated folder.
    """

    def __init__(self, prefix: str, sha_field: str) -> None:
        self.prefix, self.sha_field = prefix, sha_field

    def __call__(self, instance: Any, filename: str) -> str:
        sha256 = str(getattr(instance, self.sha_field, "") or "")
        if len(sha256) != 64:
            return f"{self.prefix}/unhashed/{os.path.basename(filename)}"
        return content_name(self.prefix, sha256, filename)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ContentAddressed) and (self.prefix, self.sha_field) == (
            other.prefix,
            other.sha_field,
        )

    def __hash__(self) -> int:
        return hash((self.prefix, self.sha_field))


def display_filename(label: str, stored_name: str) -> str:
    """A readable file name for a stored file: the document's label, folded and hyphenated, with the
    stored file's extension ("Đơn đề nghị (mẫu 01)" + ``…/ab12….pdf`` → ``don-de-nghi-mau-01.pdf``).

    Content-addressed names say nothing to a person; the label does (and is never a path).
    """
    ext = os.path.splitext(stored_name or "")[1].lower()
    if not ext[1:].isalnum() or len(ext) > 6:
        ext = ""
    stem = slugify(fold(label))[:80].strip("-") or "tep"
    return f"{stem}{ext}"


def sha256_of(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(_CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()


def stored_file_read_checked(file: FieldFile, *, sha256: str) -> IO[bytes]:
    """A private copy of the stored file, positioned at its start, after checking it against ``sha256``.

    The copy (memory, or a temporary file for large ones) is what gets served: the object in the
    storage could change between a check and a second read. Raises ``Http404`` when the object is
    gone, ``StoredFileAltered`` when its bytes differ. An empty ``sha256`` (a file stored before hashes
    were recorded) is served unchecked, with a warning.
    """
    copy = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115 — returned open
    try:
        _stored_file_check(file, sha256=sha256, copy=copy)
    except BaseException:
        copy.close()
        raise
    copy.seek(0)
    return copy


def _stored_file_check(file: FieldFile, *, sha256: str, copy: IO[bytes] | None) -> None:
    """Hash the stored object (writing it to ``copy`` as it goes, if given); raise as documented above."""
    name = file.name or ""
    digest = hashlib.sha256()
    try:
        with file.storage.open(name, "rb") as source:
            for chunk in iter(lambda: source.read(_CHUNK), b""):
                digest.update(chunk)
                if copy is not None:
                    copy.write(chunk)
    except Exception as exc:
        # FileNotFoundError on the filesystem; botocore's ClientError (NoSuchKey, 404) on S3 — raised
        # when the object is first read, not when it is "opened".
        logger.error("stored file %s cannot be read: %r", name, exc)
        raise Http404("Tệp đã bị xóa khỏi kho lưu trữ.") from exc
    actual = digest.hexdigest()
    if not sha256:
        logger.warning("stored file %s has no recorded sha256; served unchecked", name)
    elif actual != sha256.lower():
        logger.error("stored file %s altered: recorded sha256 %s, found %s", name, sha256, actual)
        raise StoredFileAltered(name, expected=sha256, actual=actual)


def accel_redirect_path(file: FieldFile) -> str | None:
    """The URI of ``file`` under nginx's internal location, or None when nginx cannot send it.

    Only with ``MOTCUA_PROTECTED_FILES_ACCEL_PREFIX`` set, only for the local filesystem storage rooted
    at ``MEDIA_ROOT`` (the folder the internal location aliases: S3 objects keep being streamed by the
    process), and only for a plain relative name — nginx must never be sent outside that folder.
    """
    prefix = str(getattr(settings, "MOTCUA_PROTECTED_FILES_ACCEL_PREFIX", "") or "")
    if not prefix:
        return None
    storage = file.storage
    if not isinstance(storage, FileSystemStorage):
        return None
    if Path(storage.location).resolve() != Path(settings.MEDIA_ROOT).resolve():
        return None
    name = file.name or ""
    parts = name.split("/")
    if "\\" in name or any(part in ("", ".", "..") for part in parts):
        return None
    # Percent-encoded: nginx decodes the URI before mapping it onto the folder.
    return "/" + prefix.strip("/") + "/" + quote(name, safe="/")


def stored_file_response(
    file: FieldFile, *, sha256: str, filename: str, content_type: str
) -> HttpResponseBase:
    """The stored file as a private attachment, only if its bytes still match ``sha256``.

    Behind nginx with ``MOTCUA_PROTECTED_FILES_ACCEL_PREFIX``: the file is hashed here without being
    copied, and an empty answer tells nginx (``X-Accel-Redirect``) to send it from the internal
    location. nginx keeps this answer's Content-Type, Content-Disposition, Cache-Control and Set-Cookie
    (and adds nosniff itself: it drops the other headers). The file could change between the check and
    nginx's read, a window of milliseconds the streamed answer does not have; names are never
    rewritten by the application, so only someone writing into MEDIA_ROOT directly could use it.
    """
    accel = accel_redirect_path(file)
    if accel is not None:
        _stored_file_check(file, sha256=sha256, copy=None)
        response: HttpResponseBase = HttpResponse(b"", content_type=content_type)
        # RFC 6266 / 5987, as FileResponse writes it: filename*=utf-8''… for a Vietnamese name.
        response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
        response["X-Accel-Redirect"] = accel
    else:
        handle = stored_file_read_checked(file, sha256=sha256)
        response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    # Personal data: never kept by a shared cache; the declared type is the one to use.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response

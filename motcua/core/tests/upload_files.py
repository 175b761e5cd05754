"""Files for upload tests, made on the spot: valid PDFs and images, and the hostile kinds users met."""

from __future__ import annotations

import io
import zipfile

from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject


def pdf_bytes(*, pages: int = 1, password: str | None = None, javascript: str | None = None) -> bytes:
    """A valid PDF of blank A4 pages (``password``: encrypted; ``javascript``: run when opened)."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if javascript is not None:
        action = DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject(javascript)}
        )
        tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("js"), action])})
        writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})
    if password is not None:
        writer.encrypt(user_password=password, owner_password="chu-so-huu", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_open_action() -> bytes:
    """A PDF that launches a program when opened (an /OpenAction of type /Launch)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")}
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image_bytes(
    kind: str = "PNG", *, size: tuple[int, int] = (40, 30), exif_make: str | None = None
) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    if exif_make is not None:
        exif = Image.Exif()
        exif[0x010F] = exif_make  # Make
        exif[0x8825] = {2: (21.0, 0.0, 0.0)}  # GPSInfo: latitude
        image.save(out, format=kind, exif=exif.tobytes())
    else:
        image.save(out, format=kind)
    return out.getvalue()


def png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A PNG of a few hundred KB declaring ``width`` × ``height`` pixels (decompression bomb)."""
    image = Image.new("1", (width, height), 0)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bom.txt", "0" * 10_000_000)  # 10 MB of zeros compressed to ~10 KB
    return out.getvalue()


HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
PHP = b"<?php system($_GET['c']); ?>"
CORRUPT_PDF = (
    b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ngarbage without xref or trailer\n"
)

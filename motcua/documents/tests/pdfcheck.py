"""Reading rendered PDFs back in tests (text, fonts, tagged figures) with pypdf."""

from __future__ import annotations

import io
import re
from typing import Any

import pypdf
from pypdf.generic import ArrayObject, DictionaryObject

_SPACE = re.compile(r"\s+")


def reader(pdf: bytes) -> pypdf.PdfReader:
    assert pdf.startswith(b"%PDF-"), pdf[:16]
    return pypdf.PdfReader(io.BytesIO(pdf))


def page_texts(pdf: bytes) -> list[str]:
    """Text of each page, whitespace collapsed: line wrapping must not break a phrase match."""
    return [_SPACE.sub(" ", page.extract_text()) for page in reader(pdf).pages]


def text(pdf: bytes) -> str:
    return " ".join(page_texts(pdf))


def fonts(pdf: bytes) -> dict[str, bool]:
    """BaseFont name → whether the font program is embedded, over all pages."""
    found: dict[str, bool] = {}
    for page in reader(pdf).pages:
        resources: Any = page["/Resources"]
        for ref in resources["/Font"].values():
            font: Any = ref.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            found[str(font["/BaseFont"])] = embedded
    return found


def figure_alts(pdf: bytes) -> list[str]:
    """Alt texts of the tagged figures (images) in the structure tree."""
    alts: list[str] = []

    def walk(node: object) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, ArrayObject):
            for child in node:
                walk(child)
        elif isinstance(node, DictionaryObject):
            if node.get("/S") == "/Figure" and "/Alt" in node:
                alts.append(str(node["/Alt"]))
            if "/K" in node:
                walk(node["/K"])

    root: Any = reader(pdf).trailer["/Root"]
    walk(root["/StructTreeRoot"])
    return alts


def figure_pages(pdf: bytes) -> dict[str, int]:
    """Alt text of each tagged figure → the number (from 1) of the page it is drawn on."""
    document = reader(pdf)
    numbers: dict[int, int] = {}
    for index, page in enumerate(document.pages, start=1):
        assert page.indirect_reference is not None  # pages read from a file always have one
        numbers[page.indirect_reference.idnum] = index
    found: dict[str, int] = {}

    def walk(node: object) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, ArrayObject):
            for child in node:
                walk(child)
        elif isinstance(node, DictionaryObject):
            if node.get("/S") == "/Figure" and "/Alt" in node and "/Pg" in node:
                found[str(node["/Alt"])] = numbers[node.raw_get("/Pg").idnum]
            if "/K" in node:
                walk(node["/K"])

    root: Any = document.trailer["/Root"]
    walk(root["/StructTreeRoot"])
    return found


def link_uris(pdf: bytes) -> list[str]:
    """Targets of the URI link annotations, in page order."""
    uris: list[str] = []
    for page in reader(pdf).pages:
        for ref in page.get("/Annots", []):
            annotation: Any = ref.get_object()
            action = annotation.get("/A")
            if action is not None and "/URI" in action:
                uris.append(str(action["/URI"]))
    return uris

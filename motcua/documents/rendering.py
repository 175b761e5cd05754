"""Typst PDF rendering of the standard forms (biểu mẫu) with the fonts shipped in the project.

Data never enters typst markup as text: it is serialised to JSON, passed through ``sys.inputs`` and
decoded by the template with ``json(bytes(sys.inputs.data))``. Strings read that way are shown as
literal text, so a name containing ``#``, ``*``, ``$``, ``[`` or ``\\`` cannot run code or change the
layout.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import Final

import typst

logger = logging.getLogger(__name__)

APP_DIR = Path(__file__).resolve().parent
FONTS_DIR = APP_DIR / "fonts"
TEMPLATES_DIR = APP_DIR / "templates" / "forms"
FONT_FAMILY = "Liberation Serif"

# PDF/A-2b: records of one-stop dossiers are kept for years (Decree 45/2020 electronic dossiers), and
# PDF/A embeds every font and forbids external dependencies, at ~1 ms extra per form.
PDF_STANDARD: Final = "a-2b"


class FormRenderError(RuntimeError):
    """A template failed to compile: a bug in a template or a payload, never the user's text."""


@cache
def _fonts() -> typst.Fonts:
    # Scanning and parsing the font files is the slow part of a cold compile; one font book shared by
    # every compiler makes each later compiler cost a few milliseconds. System fonts are ignored so
    # the output is the same on every machine, whatever it has installed.
    fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(FONTS_DIR)])
    if FONT_FAMILY not in fonts.families():
        raise FormRenderError(f"Font {FONT_FAMILY!r} missing from {FONTS_DIR}")
    return fonts


_local = threading.local()


def _compiler() -> typst.Compiler:
    # A typst.Compiler refuses concurrent use ("Already borrowed"); one per thread avoids a global
    # lock under threaded servers while keeping the warm caches (parsed templates, layouted fonts).
    compiler: typst.Compiler | None = getattr(_local, "compiler", None)
    if compiler is None:
        # root confines file access to the templates folder: a template can include its siblings and
        # nothing else on the server.
        compiler = typst.Compiler(root=str(TEMPLATES_DIR), font_paths=_fonts(), ignore_system_fonts=True)
        _local.compiler = compiler
    return compiler


def _fixed_offset(moment: datetime) -> datetime:
    # typst wants a fixed-offset zone and whole seconds for the PDF creation date; a ZoneInfo zone
    # or a timestamp with microseconds (every real one) is rejected.
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError("PDF timestamp must be an aware datetime")
    return moment.astimezone(timezone(offset)).replace(microsecond=0)


def render_pdf(template: str, data: Mapping[str, object], *, issued_at: datetime) -> bytes:
    """Compile ``templates/forms/<template>`` with ``data`` and return the PDF bytes.

    ``issued_at`` becomes the PDF creation date instead of the wall clock, so the same form data always
    gives byte-identical PDFs (stable hashes for digital signatures and caching).
    """
    path = TEMPLATES_DIR / template
    if path.parent != TEMPLATES_DIR or not path.is_file():
        raise FormRenderError(f"Unknown form template {template!r}")
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    try:
        pdf, warnings = _compiler().compile_with_warnings(
            input=str(path),
            format="pdf",
            sys_inputs={"data": payload},
            pdf_standards=PDF_STANDARD,
            timestamp=_fixed_offset(issued_at),
        )
    except typst.TypstError as exc:
        raise FormRenderError(f"{template}: {exc.message} {exc.diagnostic}") from exc
    for warning in warnings:
        logger.warning("typst %s: %s", template, warning.message)
    if not isinstance(pdf, bytes):
        raise FormRenderError(f"{template}: typst returned {type(pdf).__name__}, expected PDF bytes")
    return pdf


def render_pdf_and_query(
    template: str, data: Mapping[str, object], *, issued_at: datetime, selector: str
) -> tuple[bytes, str]:
    """``render_pdf``, plus the JSON answer of typst's query for ``selector`` on the same document.

    A template marks places it wants to report (a signature area) with labelled metadata; the query
    reads their positions from the laid-out document, so Python never guesses coordinates. A query
    answers for its compiler's own input and last inputs, so each template has its own compiler (per
    thread); the query then reuses the layout of the compile just made.
    """
    path = TEMPLATES_DIR / template
    if path.parent != TEMPLATES_DIR or not path.is_file():
        raise FormRenderError(f"Unknown form template {template!r}")
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    compiler = _template_compiler(path)
    try:
        pdf, warnings = compiler.compile_with_warnings(
            format="pdf",
            sys_inputs={"data": payload},
            pdf_standards=PDF_STANDARD,
            timestamp=_fixed_offset(issued_at),
        )
        found = compiler.query(selector, format="json")
    except typst.TypstError as exc:
        raise FormRenderError(f"{template}: {exc.message} {exc.diagnostic}") from exc
    for warning in warnings:
        logger.warning("typst %s: %s", template, warning.message)
    if not isinstance(pdf, bytes):
        raise FormRenderError(f"{template}: typst returned {type(pdf).__name__}, expected PDF bytes")
    return pdf, found


def _template_compiler(path: Path) -> typst.Compiler:
    compilers: dict[Path, typst.Compiler] | None = getattr(_local, "template_compilers", None)
    if compilers is None:
        compilers = _local.template_compilers = {}
    compiler = compilers.get(path)
    if compiler is None:
        compiler = typst.Compiler(
            input=str(path), root=str(TEMPLATES_DIR), font_paths=_fonts(), ignore_system_fonts=True
        )
        compilers[path] = compiler
    return compiler

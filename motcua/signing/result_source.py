"""The one place the signing app gets the result PDF to sign from: the engine's result document (the
specialist's uploaded draft as uploaded, or the procedure's typst template with the signature and seal
areas read back from typst — ``dossiers.downloads.result_pdf_build``), and the typst text of the stamps
on an uploaded result (``documents.results.signature_stamp_render``)."""

from __future__ import annotations

from motcua.documents.results import signature_stamp_render, signing_time_text
from motcua.dossiers.downloads import ResultPdf, SignatureBox, result_pdf_build

__all__ = ["ResultPdf", "SignatureBox", "result_pdf_build", "signature_stamp_render", "signing_time_text"]

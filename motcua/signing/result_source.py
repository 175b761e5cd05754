"""The one place the signing app gets the result PDF to sign from.

Provisional until the "results" branch is merged: then this import becomes
``from motcua.dossiers.downloads import ResultPdf, SignatureBox, result_pdf_build``.
"""

from __future__ import annotations

from motcua.dossiers.result_pdf_provisional import ResultPdf, SignatureBox, result_pdf_build

__all__ = ["ResultPdf", "SignatureBox", "result_pdf_build"]

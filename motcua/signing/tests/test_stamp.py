"""The visible signatures of a signed result: the lines printed whole, the widgets apart, the QR code
scanning back to the verification page (services.result_sign; template and uploaded results)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from motcua.documents.results import signing_time_text
from motcua.documents.tests import pdfcheck
from motcua.dossiers import actions, downloads, services
from motcua.dossiers.deadlines import local_zone
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import World, dossier_advance, dossier_submit
from motcua.signing.models import SignedResult
from motcua.signing.pki import Pki
from motcua.signing.services import verification_url
from motcua.signing.tests.test_services import _at_signing, _file_bytes
from motcua.signing.verification import document_verify

Rect = tuple[float, float, float, float]

needs_scanner = pytest.mark.skipif(
    # CI installs both (.ci/run), so there a missing tool fails the test instead of skipping it.
    not os.environ.get("CI") and (shutil.which("pdftoppm") is None or shutil.which("zbarimg") is None),
    reason="needs Debian's poppler-utils and zbar-tools to rasterise and scan the page",
)


def _sign(world: World, d: Dossier) -> tuple[Dossier, bytes]:
    d = actions.action_perform(
        action="sign_result", actor=world.hung, dossier=d, data={"row_version": d.row_version}
    )
    return d, _file_bytes(d)


def _annotations(data: bytes) -> dict[str, Rect]:
    """The last page's annotations by signature field name, the QR code's link as ``link``."""
    page = PdfReader(io.BytesIO(data)).pages[-1]
    found: dict[str, Rect] = {}
    for ref in page.get("/Annots", []):
        annot = ref.get_object()
        x1, y1, x2, y2 = (float(v) for v in annot["/Rect"])
        name = str(annot["/T"]) if annot.get("/Subtype") == "/Widget" else "link"
        found[name] = (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
    return found


def _apart(a: Rect, b: Rect) -> bool:
    return a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


def _inside(x: float, y: float, rect: Rect) -> bool:
    return rect[0] <= x <= rect[2] and rect[1] <= y <= rect[3]


def _baselines(data: bytes, needles: tuple[str, ...]) -> dict[str, tuple[float, float]]:
    """Where each needle's text starts on the last page (PDF points, origin bottom-left)."""
    found: dict[str, tuple[float, float]] = {}

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        for needle in needles:
            if needle in text and needle not in found:
                found[needle] = (
                    tm[4] * cm[0] + tm[5] * cm[2] + cm[4],
                    tm[4] * cm[1] + tm[5] * cm[3] + cm[5],
                )

    PdfReader(io.BytesIO(data)).pages[-1].extract_text(visitor_text=visit)
    return found


def _scan(data: bytes, tmp_path: Path) -> str:
    (tmp_path / "signed.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "110", "signed.pdf", "page"], cwd=tmp_path, check=True)
    scanned = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "page-1.png"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    return scanned.stdout.strip()


@needs_scanner
def test_a_signed_template_result_prints_its_signatures_whole_under_widgets_apart_from_the_qr_code(
    world: World, pki: Pki, tmp_path: Path
):
    d, data = _sign(world, _at_signing(world))
    signed = SignedResult.objects.get(dossier=d)
    when = signing_time_text(signed.signed_at.astimezone(local_zone()))
    text = pdfcheck.text(data)
    for line in ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "(Đã ký số)", "Vũ Văn Hùng", f"Thời gian ký: {when}"):
        assert line in text, line
    assert world.commune_a.name in text
    # pyHanko draws no text of its own: what is printed is the template's, once.
    assert text.count("Thời gian ký") == 1

    rects = _annotations(data)
    assert set(rects) == {"ChuKyLanhDao", "ChuKyCoQuan", "link"}
    leader, seal, qr = rects["ChuKyLanhDao"], rects["ChuKyCoQuan"], rects["link"]
    assert _apart(leader, seal)
    assert _apart(leader, qr)
    assert _apart(seal, qr)
    # Each widget lies over the lines of its own signature.
    at = _baselines(data, ("(Đã ký số)", "Thời gian ký"))
    assert _inside(*at["(Đã ký số)"], leader)
    assert _inside(*at["Thời gian ký"], seal)

    url = verification_url(code=d.code, unsigned_sha256=signed.unsigned_sha256)
    assert _scan(data, tmp_path) == url

    report = document_verify(data, code=d.code)
    assert report.valid, report.signatures
    # The time the signatures claim is the time the page prints.
    for sig in report.signatures:
        assert sig.check.signed_at is not None
        assert signing_time_text(sig.check.signed_at.astimezone(local_zone())) == when


@needs_scanner
def test_an_uploaded_result_gets_framed_stamps_apart_with_the_qr_code(world: World, pki: Pki, tmp_path: Path):
    d = dossier_submit(world, key="stamp-upload")
    d = services.dossier_accept(actor=world.lan, dossier=d, row_version=d.row_version)
    d = dossier_advance(world, d, to="appraisal")
    # A real one-page document as the uploaded result: the template's draft.
    page = downloads.result_pdf_build(dossier=d, number=None, signer=world.hung, issued_on=None).pdf
    services.dossier_result_draft_upload(
        actor=world.minh,
        dossier=d,
        row_version=d.row_version,
        file=SimpleUploadedFile("du-thao.pdf", page, content_type="application/pdf"),
    )
    d.refresh_from_db()
    d = services.dossier_forward(actor=world.minh, dossier=d, row_version=d.row_version, assignee=world.hung)
    d = services.dossier_approve(actor=world.hung, dossier=d, row_version=d.row_version)
    d, data = _sign(world, d)

    rects = _annotations(data)
    assert set(rects) == {"ChuKyLanhDao", "ChuKyCoQuan"}
    assert _apart(rects["ChuKyLanhDao"], rects["ChuKyCoQuan"])
    signed = SignedResult.objects.get(dossier=d)
    assert _scan(data, tmp_path) == verification_url(code=d.code, unsigned_sha256=signed.unsigned_sha256)
    assert document_verify(data, code=d.code).valid

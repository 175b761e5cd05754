"""Signing benchmarks (issue 12): render + sign a one-page result, a batch of 50, verification.

    .venv/bin/python bench/signing_bench.py [--rounds 30] [--batch 50]

In one process, on a fresh SQLite file in ``var/bench-signing`` (or ``DATABASE_URL``, an empty
database), with a fresh development PKI (ECDSA P-256 key files): each figure beside the raw pyHanko
call on the same document in the same run.

* **render + sign**: ``result_pdf_build`` + the leader's signature (visible stamp with QR code) + the
  organisation's seal, as ``signing.services.result_sign`` does — against pyHanko's bare
  ``signers.sign_pdf`` of the same PDF with the same key (one invisible signature). Target: median
  < 60 ms.
* **batch of 50**: ``services.batch_create`` + the job worker's ``jobs_run_due`` (each dossier its own
  transaction: number, render, two signatures, stored file, events). Target: < 3 s — against 50 bare
  pyHanko signatures.
* **verification**: ``verification.document_verify`` of a signed result (two signatures, chain, CRL) —
  against pyHanko's ``validate_pdf_signature`` of the same two signatures. Target: median < 30 ms.

Wall time (``time.perf_counter``): the targets are the latency a leader waits for. Beside it the
process's CPU time per call (``time.process_time``, all threads: pyHanko runs on its own threads), which
a loaded machine inflates less. "Raw" signs with pyHanko's own ``SimpleSigner`` loaded from the same
key files (not the key store's signer, which carries motcua's own speed-ups). Ratios are motcua / raw.
Results: ``bench/results/signing.json``.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import ROOT, write_result

VAR_DIR = ROOT / "var" / "bench-signing"


def _setup() -> Path:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    if not os.environ.get("DATABASE_URL"):
        (VAR_DIR / "motcua.sqlite3").unlink(missing_ok=True)
    os.environ.setdefault("MOTCUA_VAR_DIR", str(VAR_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    pki_dir = Path(tempfile.mkdtemp(prefix="pki-", dir=VAR_DIR))
    os.environ["MOTCUA_SIGNING_KEY_DIR"] = str(pki_dir)
    os.environ["MOTCUA_SIGNING_TSA_URL"] = ""
    # Only the signing jobs matter here: the dossiers' SMS / Zalo jobs would wait on a closed port.
    os.environ["MOTCUA_SMS_BACKEND"] = "none"
    os.environ["MOTCUA_ZALO_BACKEND"] = "none"
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)
    return pki_dir


def _ms(fn: Callable[[], object], rounds: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of each call."""
    wall, cpu = [], []
    for _ in range(rounds):
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    return wall, cpu


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 1)


def _ratio(ours: float, raw: float) -> float:
    return round(ours / raw, 2) if raw else 0.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--batch", type=int, default=50)
    args = parser.parse_args()
    pki_dir = _setup()

    from django.conf import settings
    from django.utils import timezone
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import signers
    from pyhanko.sign.validation import validate_pdf_signature

    from motcua.dossiers import services
    from motcua.dossiers.models import Dossier, DossierResultDocument
    from motcua.dossiers.tests.factories import dossier_advance, dossier_submit, world_build
    from motcua.jobs.delivery import jobs_run_due
    from motcua.signing import pades, trust
    from motcua.signing import services as signing_services
    from motcua.signing.keystore import SignerRef, key_store
    from motcua.signing.pki import Pki
    from motcua.signing.pki_accounts import signer_identities
    from motcua.signing.result_source import result_pdf_build
    from motcua.signing.verification import document_verify

    settings.MEDIA_ROOT = str(VAR_DIR / "media")
    world = world_build()
    pki = Pki(pki_dir)
    pki.init()
    pki.issue_missing(signer_identities())
    counter = iter(range(1_000_000))

    def at_signing() -> Dossier:
        d = dossier_submit(world, key=f"bench-{next(counter)}")
        d = services.dossier_accept(actor=world.lan, dossier=d, row_version=d.row_version)
        return dossier_advance(world, d, to="signing")

    sample = at_signing()
    store = key_store()
    leader = store.signer(SignerRef("leader", world.hung.username))
    seal = store.signer(SignerRef("unit", world.commune_a.agency_code))
    leader_files = pki_dir / "leaders" / f"{world.hung.username}.key"
    raw_signer = signers.SimpleSigner.load(
        str(leader_files),
        str(leader_files.with_suffix(".crt")),
        ca_chain_files=(str(pki_dir / "ca.crt"), str(pki_dir / "root.crt")),
    )
    assert raw_signer is not None
    pdf = result_pdf_build(dossier=sample, number="1/2026/KQ", signer=world.hung, issued_on=None).pdf

    def ours() -> bytes:
        # As the service does for a template result: the page prints the signatures' lines, the
        # widgets draw nothing, the QR code goes in the template's square with the leader's signature.
        now = timezone.now()
        built = result_pdf_build(
            dossier=sample, number="1/2026/KQ", signer=world.hung, issued_on=None, signed_at=now
        )
        assert built.signer_box is not None
        assert built.seal_box is not None
        assert built.qr_box is not None

        def box(b: Any) -> pades.Box:
            return pades.Box(b.page, b.x1, b.y1, b.x2, b.y2)

        signed = pades.pdf_sign(
            built.pdf,
            signer=leader,
            field_name="ChuKyLanhDao",
            box=box(built.signer_box),
            appearance=pades.Appearance(),
            page_qr=pades.PageQr(
                box=box(built.qr_box),
                url="https://dichvucong.quangninh.gov.vn/xac-thuc?ma=X&h=0123456789abcdef",
            ),
            signing_time=now,
            reason="Ký kết quả",
            location="Quảng Ninh",
        )
        return pades.pdf_sign(
            signed,
            signer=seal,
            field_name="ChuKyCoQuan",
            box=box(built.seal_box),
            appearance=pades.Appearance(),
            signing_time=now,
            reason="Chữ ký cơ quan",
            location="Quảng Ninh",
        )

    def raw() -> bytes:
        out = signers.sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(pdf)),
            signers.PdfSignatureMetadata(field_name="Raw", md_algorithm="sha256"),
            signer=raw_signer,
        )
        return out.getvalue()

    ours(), raw()  # warm: fonts, typst compiler, key loading
    sign_ours = _ms(ours, args.rounds)
    sign_raw = _ms(raw, args.rounds)

    # Batch of N through the service, one job per dossier (the worker's own code).
    dossiers = [at_signing() for _ in range(args.batch)]
    started, started_cpu = time.perf_counter(), time.process_time()
    batch = signing_services.batch_create(actor=world.hung, dossiers=dossiers)
    while jobs_run_due():
        pass
    batch_s, batch_cpu_s = time.perf_counter() - started, time.process_time() - started_cpu
    signed_items = batch.items.filter(status="signed").count()
    started, started_cpu = time.perf_counter(), time.process_time()
    for _ in range(args.batch):
        raw()
    batch_raw_s, batch_raw_cpu_s = time.perf_counter() - started, time.process_time() - started_cpu

    document = DossierResultDocument.objects.filter(dossier=dossiers[0]).first()
    assert document is not None
    with document.file.open("rb") as handle:
        signed_pdf = handle.read()
    document_verify(signed_pdf, code=dossiers[0].code)  # warm

    def raw_verify() -> None:
        for sig in PdfFileReader(io.BytesIO(signed_pdf)).embedded_signatures:
            validate_pdf_signature(sig, trust.context_factory())

    verify_ours = _ms(lambda: document_verify(signed_pdf, code=dossiers[0].code), args.rounds)
    verify_raw = _ms(raw_verify, args.rounds)

    results = {
        "render_sign_median_ms": _median(sign_ours[0]),
        "raw_pyhanko_sign_median_ms": _median(sign_raw[0]),
        "render_sign_ratio": _ratio(_median(sign_ours[0]), _median(sign_raw[0])),
        "render_sign_cpu_median_ms": _median(sign_ours[1]),
        "raw_pyhanko_sign_cpu_median_ms": _median(sign_raw[1]),
        "batch_n": args.batch,
        "batch_signed": signed_items,
        "batch_s": round(batch_s, 2),
        "batch_raw_pyhanko_s": round(batch_raw_s, 2),
        "batch_ratio": _ratio(batch_s, batch_raw_s),
        "batch_cpu_s": round(batch_cpu_s, 2),
        "batch_raw_pyhanko_cpu_s": round(batch_raw_cpu_s, 2),
        "verify_median_ms": _median(verify_ours[0]),
        "raw_pyhanko_verify_median_ms": _median(verify_raw[0]),
        "verify_ratio": _ratio(_median(verify_ours[0]), _median(verify_raw[0])),
        "verify_cpu_median_ms": _median(verify_ours[1]),
        "raw_pyhanko_verify_cpu_median_ms": _median(verify_raw[1]),
        "load_average": os.getloadavg()[0],
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
    }
    write_result("signing", results)
    checks = [
        ("render + sign median", results["render_sign_median_ms"], 60, "ms"),
        (f"batch of {args.batch}", results["batch_s"], 3.0, "s"),
        ("verification median", results["verify_median_ms"], 30, "ms"),
    ]
    print(
        f"load average {results['load_average']:.2f}; "
        f"raw pyHanko sign median {results['raw_pyhanko_sign_median_ms']} ms "
        f"(ratio {results['render_sign_ratio']}, CPU {results['render_sign_cpu_median_ms']} vs "
        f"{results['raw_pyhanko_sign_cpu_median_ms']} ms); "
        f"raw batch {results['batch_raw_pyhanko_s']} s (ratio {results['batch_ratio']}, CPU "
        f"{results['batch_cpu_s']} vs {results['batch_raw_pyhanko_cpu_s']} s); "
        f"raw verify median {results['raw_pyhanko_verify_median_ms']} ms (ratio {results['verify_ratio']}, "
        f"CPU {results['verify_cpu_median_ms']} vs {results['raw_pyhanko_verify_cpu_median_ms']} ms)"
    )
    failed = False
    for name, value, target, unit in checks:
        ok = value < target
        failed |= not ok
        print(f"{name}: {value} {unit} (target < {target} {unit}) {'✔' if ok else '✘'}")
    return 1 if failed or signed_items != args.batch else 0


if __name__ == "__main__":
    sys.exit(main())

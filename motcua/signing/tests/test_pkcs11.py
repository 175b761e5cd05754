"""Signing with keys on a PKCS#11 token — SoftHSM2 from Debian, a real token in a temporary folder.

The leader's and the unit's keys are imported with ``softhsm2-util --import`` (PKCS#8), their
certificates written to the token with python-pkcs11; ``Pkcs11KeyStore`` signs on the token and the
result verifies like a file-key signature.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from motcua.dossiers import actions, services
from motcua.dossiers.models import Dossier, DossierResultDocument, DossierState
from motcua.dossiers.tests.factories import World, dossier_advance, dossier_submit
from motcua.signing.keystore import Pkcs11KeyStore, SignerRef, key_store_override
from motcua.signing.pki import Pki
from motcua.signing.verification import document_verify

SOFTHSM_LIB = next(
    (
        p
        for p in ("/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so")
        if Path(p).exists()
    ),
    "",
)
PIN = "246810"
TOKEN = "motcua-test"

pytestmark = pytest.mark.skipif(
    not (SOFTHSM_LIB and shutil.which("softhsm2-util")) and not os.environ.get("CI"),
    reason="SoftHSM2 not installed (apt-get install softhsm2); required in CI",
)
_keys = itertools.count(1)


def _token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tokens = tmp_path / "tokens"
    tokens.mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", TOKEN, "--pin", PIN, "--so-pin", "13579"],
        check=True,
        capture_output=True,
    )


def _import(pki: Pki, ref: SignerRef, *, object_id: str) -> None:
    """The key with softhsm2-util, the certificate with python-pkcs11 (softhsm2-util imports keys only)."""
    import pkcs11
    from pkcs11 import Attribute, CertificateType, ObjectClass

    cert_path = pki.signer_path(ref.kind, ref.key)
    subprocess.run(
        [
            "softhsm2-util",
            "--import",
            str(cert_path.with_suffix(".key")),
            "--token",
            TOKEN,
            "--label",
            ref.label,
            "--id",
            object_id,
            "--pin",
            PIN,
        ],
        check=True,
        capture_output=True,
    )
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    token = pkcs11.lib(SOFTHSM_LIB).get_token(token_label=TOKEN)
    with token.open(rw=True, user_pin=PIN) as session:
        session.create_object(
            {
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.LABEL: ref.label,
                Attribute.ID: bytes.fromhex(object_id),
                Attribute.SUBJECT: cert.subject.public_bytes(),
                Attribute.VALUE: cert.public_bytes(serialization.Encoding.DER),
            }
        )
    # The file key is gone: only the token can sign from here on.
    cert_path.with_suffix(".key").unlink()


def test_hung_signs_with_keys_on_a_softhsm2_token_and_the_result_verifies(
    world: World, pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any
):
    from pyhanko.keys import load_cert_from_pemder

    _token(tmp_path, monkeypatch)
    leader = SignerRef("leader", world.hung.username)
    seal = SignerRef("unit", world.commune_a.agency_code)
    _import(pki, leader, object_id="01")
    _import(pki, seal, object_id="02")
    store = Pkcs11KeyStore(
        lib=SOFTHSM_LIB,
        token_label=TOKEN,
        pin=PIN,
        ca_chain=[
            load_cert_from_pemder(str(pki.ca_cert_path)),
            load_cert_from_pemder(str(pki.root_cert_path)),
        ],
    )
    d: Dossier = dossier_submit(world, key=f"hsm-{next(_keys)}")
    d = services.dossier_accept(actor=world.lan, dossier=d, row_version=d.row_version)
    d = dossier_advance(world, d, to="signing")
    try:
        with key_store_override(store):
            d = actions.action_perform(
                action="sign_result", actor=world.hung, dossier=d, data={"row_version": d.row_version}
            )
    finally:
        store.close()
    assert d.state == DossierState.RESULT_READY
    with DossierResultDocument.objects.get(dossier=d).file.open("rb") as handle:
        report = document_verify(handle.read(), code=d.code)
    assert report.valid
    assert [s.check.signer_name for s in report.signatures] == ["Vũ Văn Hùng", world.commune_a.name]
    assert report.on_file is not None
    assert report.on_file.matches


def test_a_missing_key_on_the_token_is_a_vietnamese_refusal(
    world: World, pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from motcua.signing.errors import SigningRefused

    _token(tmp_path, monkeypatch)
    store = Pkcs11KeyStore(lib=SOFTHSM_LIB, token_label=TOKEN, pin=PIN, ca_chain=[])
    try:
        with pytest.raises(SigningRefused) as exc:
            store.signer(SignerRef("leader", "khong-co"))
    finally:
        store.close()
    assert "không có khóa" in exc.value.message

"""``motcua pki init|revoke|issue``: the development PKI on disk, certificates for the leaders."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from cryptography import x509
from django.core.management import CommandError, call_command

from motcua.dossiers.tests.factories import World
from motcua.signing.keystore import crl_revoked_serials


def test_init_issues_leader_and_unit_certificates_and_revoke_writes_the_crl(world: World, tmp_path: Path):
    folder = tmp_path / "pki"
    call_command("pki", "init", "--dir", str(folder), stdout=StringIO())
    leader = folder / "leaders" / f"{world.hung.username}.crt"
    unit = folder / "units" / f"{world.commune_a.agency_code}.crt"
    assert leader.exists()
    assert unit.exists()
    cert = x509.load_pem_x509_certificate(leader.read_bytes())
    assert cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value == "Vũ Văn Hùng"
    assert (
        cert.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATION_NAME)[0].value == world.commune_a.name
    )
    key_before = (folder / "ca.key").read_bytes()
    call_command("pki", "init", "--dir", str(folder), stdout=StringIO())  # again: keys kept
    assert (folder / "ca.key").read_bytes() == key_before
    call_command("pki", "revoke", str(cert.serial_number), "--dir", str(folder), stdout=StringIO())
    assert crl_revoked_serials([folder / "ca.crl"]) == {cert.serial_number}
    with pytest.raises(CommandError):
        call_command("pki", "revoke", "not-a-number", "--dir", str(folder), stdout=StringIO())

"""Fixtures of the signing tests: the test world of the dossier tests and a fresh development PKI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from motcua.dossiers.tests.factories import World, world_build
from motcua.signing.pki import Pki
from motcua.signing.pki_accounts import signer_identities


@pytest.fixture
def world(db: None) -> World:
    return world_build()


@pytest.fixture
def pki(world: World, settings: Any, tmp_path: Path) -> Pki:
    """The province's development PKI in a temporary folder, with certificates for the world's leaders
    (Hùng of phường Hạ Long, Cường of the department, Bình of Bãi Cháy) and their units."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_SIGNING_KEY_DIR = tmp_path / "pki"
    settings.MOTCUA_SIGNING_TSA_URL = ""
    settings.MOTCUA_PUBLIC_BASE_URL = "https://dichvucong.quangninh.test"
    pki = Pki(tmp_path / "pki")
    pki.init()
    pki.issue_missing(signer_identities())
    return pki

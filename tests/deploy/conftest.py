"""Fixtures of the deployment tests: the test's deployment folder and a self-signed certificate."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy.rendering import SERVER_NAME, Paths


@pytest.fixture
def deploy_paths(tmp_path: Path) -> Paths:
    paths = Paths(tmp_path)
    paths.make()
    return paths


@pytest.fixture
def certificate(deploy_paths: Paths) -> tuple[Path, Path]:
    """A throw-away certificate for the site's name (what certbot or the province's CA provide)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    cert, key = deploy_paths.etc / "fullchain.pem", deploy_paths.etc / "privkey.pem"
    subprocess.run(
        [
            openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-days", "2", "-subj", f"/CN={SERVER_NAME}", "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key

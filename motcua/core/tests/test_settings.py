"""The production settings mode must pass Django's deployment checklist."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def _run_check(extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "-m", "motcua.manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_production_mode_passes_check_deploy(tmp_path):
    result = _run_check(
        {
            "MOTCUA_MODE": "production",
            "SECRET_KEY": "k7#Qm2&vRt9!pLz4@wXy8^bNc1*dFg6(hJs3)aEu5-oIr0_TqWe",
            "ALLOWED_HOSTS": "motcua.quangninh.gov.vn",
            "MOTCUA_VAR_DIR": str(tmp_path),
        }
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_production_mode_refuses_missing_secret_key(tmp_path):
    result = _run_check({"MOTCUA_MODE": "production", "MOTCUA_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr

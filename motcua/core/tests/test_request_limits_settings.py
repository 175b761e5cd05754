"""The request limits are settings read from the environment (``motcua/env.py``, README's table)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

NAMES = (
    "DATA_UPLOAD_MAX_MEMORY_SIZE",
    "DATA_UPLOAD_MAX_NUMBER_FIELDS",
    "DATA_UPLOAD_MAX_NUMBER_FILES",
    "FILE_UPLOAD_MAX_MEMORY_SIZE",
    "MOTCUA_UPLOAD_MAX_BYTES",
    "MOTCUA_UPLOAD_MAX_REQUEST_BYTES",
    "MOTCUA_UPLOAD_MAX_PIXELS",
)


def _settings_with(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    code = f"from django.conf import settings; print(*(getattr(settings, n) for n in {NAMES!r}))"
    return subprocess.run(
        [sys.executable, "-m", "motcua.manage", "shell", "--no-imports", "-c", code],
        env={**os.environ, "MOTCUA_VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_request_limits_come_from_the_environment(tmp_path: Path) -> None:
    result = _settings_with({name: str(1000 + i) for i, name in enumerate(NAMES)}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1000", "1001", "1002", "1003", "1004", "1005", "1006"]


def test_a_limit_that_is_not_a_number_stops_start_up(tmp_path: Path) -> None:
    result = _settings_with({"DATA_UPLOAD_MAX_MEMORY_SIZE": "2.5MB"}, tmp_path)
    assert result.returncode != 0
    assert "DATA_UPLOAD_MAX_MEMORY_SIZE must be an integer" in result.stderr

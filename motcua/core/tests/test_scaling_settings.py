"""The settings that turn on the scaling steps of docs/scaling.md: a read replica and a CDN for static
files. Read in a fresh process, since settings are read once at start."""

from __future__ import annotations

import json
import os
import subprocess
import sys

PRINT = (
    "import json; from django.conf import settings as s; from django.db import connections; "
    "connections.settings; "
    "print(json.dumps({'static': s.STATIC_URL, 'script': s._CSP['DIRECTIVES']['script-src'][-1], "
    "'font': s._CSP['DIRECTIVES']['font-src'], 'replica': s.DATABASES.get('replica'), "
    "'routers': s.DATABASE_ROUTERS}, default=str))"
)


def _settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if k not in ("MOTCUA_STATIC_URL", "MOTCUA_REPLICA_DATABASE_URL")
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="motcua.settings")
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {PRINT}"],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_replica_and_cdn_settings():
    done = _settings(
        MOTCUA_STATIC_URL="https://cdn.quangninh.example/static/",
        MOTCUA_REPLICA_DATABASE_URL="postgres://reader@replica.internal:5432/motcua",
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["static"] == "https://cdn.quangninh.example/static/"
    assert seen["script"] == "https://cdn.quangninh.example"
    assert seen["font"] == ["'self'", "https://cdn.quangninh.example"]
    assert seen["replica"]["HOST"] == "replica.internal"
    assert seen["replica"]["TEST"]["MIRROR"] == "default"
    assert seen["routers"] == ["motcua.core.dbrouter.ReplicaRouter"]


def test_defaults_have_no_replica_and_serve_static_from_here(settings):
    # The test process runs with neither variable set (as the tests and a one-machine install do).
    assert "replica" not in settings.DATABASES
    assert settings.STATIC_URL == "/static/"
    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["font-src"] == ["'self'"]


def test_a_cdn_address_without_trailing_slash_is_refused():
    done = _settings(MOTCUA_STATIC_URL="https://cdn.quangninh.example/static")
    assert done.returncode != 0
    assert "MOTCUA_STATIC_URL" in done.stderr

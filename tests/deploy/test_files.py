"""The reference deployment's files are valid as shipped: nginx accepts the site (``nginx -t``), systemd
accepts the units (``systemd-analyze verify``), the env file lists every setting, and the limits and
stop timeouts of the pieces agree with each other."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from motcua.jobs.conf import job_setting
from tests.deploy.rendering import (
    ENV_EXAMPLE,
    NGINX_SITE,
    REPO,
    SYSTEMD,
    Paths,
    env_file_parse,
    nginx_binary,
    nginx_command,
    nginx_render,
    unit_parse,
    units_render,
)
from tests.processes import free_port


def test_nginx_accepts_the_site(deploy_paths: Paths, certificate: tuple[Path, Path]):
    if nginx_binary() is None:
        pytest.skip("nginx is not installed (.ci/run installs it)")
    cert, key = certificate
    conf = nginx_render(deploy_paths, http_port=free_port(), https_port=free_port(), cert=cert, key=key)
    result = subprocess.run(nginx_command(deploy_paths, conf, "-t"), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr, result.stderr
    assert "test is successful" in result.stderr, result.stderr
    assert "[warn]" not in result.stderr, result.stderr


def test_systemd_accepts_the_units(deploy_paths: Paths, tmp_path: Path):
    """``systemd-analyze verify`` works without systemd as PID 1: unknown keys, bad values and
    commands that are not executable are errors."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (.ci/run installs systemd)")
    if shutil.which("node") is None:
        pytest.skip("node is not installed (the sandbox provider's unit runs it)")
    units = units_render(deploy_paths, tmp_path / "units")
    names = {unit.name for unit in units}
    assert {
        "motcua.target",
        "motcua-web.service",
        "motcua-jobs@.service",
        "motcua-idp-sandbox.service",
        "motcua-standins.service",
    } <= names
    # A template is verified through an instance of it.
    targets = [str(u).replace("@.service", "@1.service") for u in units]
    result = subprocess.run([analyze, "verify", *targets], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr


def _settings_env_names() -> set[str]:
    """Names read by motcua/settings.py (env_* calls) and gunicorn.conf.py (os.environ.get)."""
    names = set()
    for path in (REPO / "motcua" / "settings.py", REPO / "gunicorn.conf.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or not node.args or not isinstance(node.args[0], ast.Constant):
                continue
            func = node.func
            called = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else ""
            )
            # os.environ.get(...) only: a dict's .get("OPTIONS") is not a setting.
            environ_get = called == "get" and getattr(getattr(func, "value", None), "attr", "") == "environ"
            if called.startswith("env_") or environ_get:
                names.add(str(node.args[0].value))
    return names


def test_the_env_file_example_lists_every_setting():
    text = ENV_EXAMPLE.read_text()
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))
    # The web unit's own (Environment=), not the env file's: both live in its RuntimeDirectory.
    missing = _settings_env_names() - listed - {"MOTCUA_BIND", "PROMETHEUS_MULTIPROC_DIR"}
    assert not missing, f"not in deploy/motcua.env.example: {sorted(missing)}"
    active = env_file_parse(text)
    assert active["MOTCUA_MODE"] == "production"
    assert active["MOTCUA_PROTECTED_FILES_ACCEL_PREFIX"] == "/_protected/"
    assert "location /_protected/ {" in NGINX_SITE.read_text()


def test_nginx_body_limit_sits_just_above_djangos():
    """A body Django would accept is never refused by nginx; one nginx refuses, Django would too (its
    limit, named in its 413, is the one users meet first)."""
    site = NGINX_SITE.read_text()
    (megabytes,) = re.findall(r"client_max_body_size (\d+)m;", site)
    nginx_limit = int(megabytes) * 1024 * 1024
    django_limit = settings.MOTCUA_UPLOAD_MAX_REQUEST_BYTES
    assert django_limit < nginx_limit <= django_limit + 2 * 1024 * 1024
    # nginx's own 413 pages name the same limit.
    assert site.count(f"tối đa {django_limit // (1024 * 1024)} MB") == 2


def _seconds(value: str) -> int:
    return int(value.rstrip("s"))


def test_stop_timeouts_leave_room_for_the_graceful_stops(monkeypatch):
    """systemd's SIGKILL (TimeoutStopSec) comes only after gunicorn's graceful_timeout and the job
    worker's stop grace, with the production defaults."""
    for name in ("MOTCUA_WEB_TIMEOUT_SECONDS", "MOTCUA_WEB_GRACEFUL_TIMEOUT_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    config: dict[str, object] = {}
    exec(compile((REPO / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), config)
    web = unit_parse((SYSTEMD / "motcua-web.service").read_text())
    assert _seconds(web.options["Service.TimeoutStopSec"][0]) > int(str(config["graceful_timeout"]))
    assert config["graceful_timeout"] >= config["timeout"]
    assert config["control_socket_disable"] is True
    jobs = unit_parse((SYSTEMD / "motcua-jobs@.service").read_text())
    grace = settings.MOTCUA_JOBS["STOP_GRACE_SECONDS"]
    assert grace > 0
    assert job_setting("STOP_GRACE_SECONDS") == grace
    assert _seconds(jobs.options["Service.TimeoutStopSec"][0]) > grace
    for unit in (web, jobs):
        assert unit.options["Service.KillSignal"] == ["SIGTERM"]
    assert web.options["Service.ExecReload"] == ["/bin/kill -s HUP $MAINPID"]

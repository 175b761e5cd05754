"""The reference deployment's files (deploy/) rendered for a test: the production paths and ports replaced by
the test's, nothing else changed — what runs in the test is what an operator installs.

``deploy/nginx/motcua.conf`` and ``deploy/systemd/*`` name their placeholders in their first comments;
``PLACEHOLDERS`` here are the same, so a new path in those files that the tests do not know about
stays visible (the rendered file would point at a production path that does not exist here).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
NGINX_SITE = DEPLOY / "nginx" / "motcua.conf"
SYSTEMD = DEPLOY / "systemd"
ENV_EXAMPLE = DEPLOY / "motcua.env.example"
SERVER_NAME = "motcua.example.gov.vn"


@dataclass(frozen=True)
class Paths:
    """Where the test's deployment lives (one temporary folder), in place of the production paths."""

    root: Path

    @property
    def var(self) -> Path:  # /var/lib/motcua (MOTCUA_VAR_DIR)
        return self.root / "var"

    @property
    def media(self) -> Path:  # /var/lib/motcua/media
        return self.var / "media"

    @property
    def run(self) -> Path:  # /run/motcua (RuntimeDirectory of motcua-web)
        return self.root / "run"

    @property
    def socket(self) -> Path:
        return self.run / "web.sock"

    @property
    def etc(self) -> Path:  # /etc/motcua and /etc/ssl/motcua
        return self.root / "etc"

    @property
    def nginx(self) -> Path:  # nginx's prefix: its main configuration, logs, temporary files
        return self.root / "nginx"

    def make(self) -> None:
        for folder in (self.var, self.media, self.run, self.etc, self.nginx / "logs", self.nginx / "tmp"):
            folder.mkdir(parents=True, exist_ok=True)


def _venv_bin() -> str:
    return str(Path(sys.executable).parent) + "/"


def unit_replacements(paths: Paths) -> list[tuple[str, str]]:
    """Production path → the test's, in the order applied (the virtualenv before the checkout)."""
    return [
        ("/srv/motcua/.venv/bin/", _venv_bin()),
        ("/srv/motcua", str(REPO)),
        ("/etc/motcua/motcua.env", str(paths.etc / "motcua.env")),
        ("/run/motcua", str(paths.run)),
        ("/var/lib/motcua", str(paths.var)),
        ("/usr/bin/node", shutil.which("node") or "/usr/bin/node"),
    ]


def render(text: str, replacements: list[tuple[str, str]]) -> str:
    for old, new in replacements:
        text = text.replace(old, new)
    return text


def units_render(paths: Paths, into: Path) -> list[Path]:
    """Every unit of deploy/systemd rendered into ``into``; returns their paths."""
    into.mkdir(parents=True, exist_ok=True)
    rendered = []
    for unit in sorted(SYSTEMD.iterdir()):
        if unit.suffix in (".service", ".target"):
            target = into / unit.name
            target.write_text(render(unit.read_text(), unit_replacements(paths)))
            rendered.append(target)
    return rendered


@dataclass
class Unit:
    """What systemd would run for a service: its command, directory and environment."""

    exec_start: list[str]
    working_directory: str
    environment: dict[str, str] = field(default_factory=dict)
    environment_files: list[str] = field(default_factory=list)
    options: dict[str, list[str]] = field(default_factory=dict)


def unit_parse(text: str) -> Unit:
    """The [Service] section of a unit (systemd's syntax for the keys used in deploy/systemd)."""
    options: dict[str, list[str]] = {}
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        options.setdefault(f"{section}.{key.strip()}", []).append(value.strip())
    environment: dict[str, str] = {}
    for assignments in options.get("Service.Environment", []):
        for assignment in shlex.split(assignments):
            name, _, value = assignment.partition("=")
            environment[name] = value
    (exec_start,) = options["Service.ExecStart"]
    return Unit(
        exec_start=shlex.split(exec_start.lstrip("-@+!:")),
        working_directory=options["Service.WorkingDirectory"][0],
        environment=environment,
        environment_files=[each.lstrip("-") for each in options.get("Service.EnvironmentFile", [])],
        options=options,
    )


def env_file_parse(text: str) -> dict[str, str]:
    """An EnvironmentFile= as systemd reads the ones we ship: NAME=value, the rest of the line."""
    values = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        name, _, value = line.partition("=")
        values[name.strip()] = value.strip()
    return values


def unit_environment(unit: Unit, overrides: dict[str, str]) -> dict[str, str]:
    """The process environment systemd would give the unit (Environment=, then EnvironmentFile=, which
    wins), plus the test's ``overrides`` (its database, the hosts it answers to)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    env.update(unit.environment)
    for name in unit.environment_files:
        env.update(env_file_parse(Path(name).read_text()))
    env.update(overrides)
    return env


def nginx_render(paths: Paths, *, http_port: int, https_port: int, cert: Path, key: Path) -> Path:
    """deploy/nginx/motcua.conf with the test's ports and paths, and a main nginx.conf around it (as
    Debian's /etc/nginx/nginx.conf would be) for ``nginx -p <prefix> -c <conf>``; returns the main one."""
    site = NGINX_SITE.read_text()
    site = "\n".join(line for line in site.splitlines() if not line.strip().startswith("listen [::]"))
    site = re.sub(r"listen 80;", f"listen 127.0.0.1:{http_port};", site)
    site = re.sub(r"listen 443 ", f"listen 127.0.0.1:{https_port} ", site)
    site = render(
        site,
        [
            ("/etc/ssl/motcua/fullchain.pem", str(cert)),
            ("/etc/ssl/motcua/privkey.pem", str(key)),
            ("unix:/run/motcua/web.sock", f"unix:{paths.socket}"),
            ("/var/lib/motcua/static/", f"{paths.var}/static/"),
            ("/var/lib/motcua/media/", f"{paths.media}/"),
            ("/var/log/nginx/", f"{paths.nginx}/logs/"),
        ],
    )
    (paths.nginx / "motcua.conf").write_text(site)
    tmp = paths.nginx / "tmp"
    # As root (CI's container), nginx's workers would run as "nobody", who cannot enter the test's
    # private temporary folders; production runs them as www-data, in group motcua.
    user = "user root;\n" if os.geteuid() == 0 else ""
    main = f"""{user}worker_processes 1;
pid {paths.nginx}/nginx.pid;
error_log {paths.nginx}/logs/error.log warn;
daemon off;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    access_log {paths.nginx}/logs/access.log;
    include {paths.nginx}/motcua.conf;
}}
"""
    conf = paths.nginx / "nginx.conf"
    conf.write_text(main)
    return conf


def nginx_binary() -> str | None:
    """nginx, also when /usr/sbin is not on PATH (a user other than root); None if not installed."""
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")


def nginx_command(paths: Paths, conf: Path, *extra: str) -> list[str]:
    nginx = nginx_binary() or "nginx"
    return [nginx, "-p", f"{paths.nginx}/", "-c", str(conf), "-e", f"{paths.nginx}/logs/error.log", *extra]

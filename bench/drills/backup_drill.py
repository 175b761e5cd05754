"""Backup drill — diễn tập sao lưu và khôi phục: back up, restore into a fresh database, verify.

    .venv/bin/python bench/drills/backup_drill.py [--database-url URL] [--simulate N] [--files N --file-kib K]

Runs the production commands as separate processes, exactly as an operator would: ``motcua backup``
of the source, ``motcua restore`` into a database created for the drill (PostgreSQL: ``CREATE
DATABASE`` of a fresh name on the same server, dropped afterwards; SQLite: a new file) and a fresh
media folder, then ``motcua verify-backup`` of the restored system. Prints rows, files, sizes and the
seconds of each stage: the restore's seconds are the measured recovery time (RTO) for that size.

Without ``--database-url`` the source is a new SQLite database prepared with ``migrate`` +
``load-demo`` (+ ``simulate --dossiers N`` if asked); with a PostgreSQL server URL whose database does
not exist yet, that database is created and prepared the same way (and kept). ``--files`` adds N
random files of K KiB to the source's media folder so file throughput shows in the figures.

``tests/drills/test_backup_drill.py`` calls ``drill()`` on the test database, on SQLite and on
PostgreSQL, in every ``make test``.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

PROJECT_DIR = Path(__file__).resolve().parents[2]


class DrillFailed(Exception):
    pass


@dataclass(frozen=True)
class DrillFigures:
    vendor: str
    models: int
    rows: int
    dossiers: int
    events: int
    files: int
    file_bytes: int
    dump_bytes: int
    backup_seconds: float
    restore_seconds: float
    verify_seconds: float
    # Inside the commands, Django's start excluded: the manifest's and restore's own clocks.
    backup_work_seconds: float
    restore_work_seconds: float
    outputs: dict[str, str]

    def lines(self) -> list[str]:
        return [
            f"database: {self.vendor}; {self.models} models, {self.rows:,} rows "
            f"({self.dossiers:,} dossiers, {self.events:,} audit events); dump {self.dump_bytes:,} bytes",
            f"files: {self.files:,}, {self.file_bytes:,} bytes",
            f"backup: {self.backup_seconds:.1f} s; restore: {self.restore_seconds:.1f} s; "
            f"verify-backup: {self.verify_seconds:.1f} s (each a whole process, Django start included)",
            f"of which the work itself: backup {self.backup_work_seconds:.2f} s, "
            f"restore {self.restore_work_seconds:.2f} s",
        ]


def motcua(args: list[str], *, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    """One ``motcua`` command in its own process, from the project directory."""
    result = subprocess.run(
        [sys.executable, "-m", "motcua.manage", *args],
        env=env,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
    )
    if check and result.returncode != 0:
        raise DrillFailed(
            f"motcua {' '.join(args)} → exit {result.returncode}\n{result.stdout}\n{result.stderr}"
        )
    return result


def command_env(*, database_url: str, media_root: Path, var_dir: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "motcua.settings",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media_root),
        "MOTCUA_VAR_DIR": str(var_dir),
        "MOTCUA_STORAGE": "local",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_DIR), os.environ.get("PYTHONPATH")])),
    }
    return env


def _pg_admin(url: str) -> Any:
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname or "localhost",
        port=parts.port or 5432,
        user=parts.username or None,
        password=parts.password or None,
        dbname="postgres",
        autocommit=True,
    )


@contextlib.contextmanager
def fresh_database(source_url: str, workdir: Path) -> Iterator[str]:
    """URL of a new, empty database of the source's kind, removed afterwards (PostgreSQL)."""
    if source_url.startswith("sqlite"):
        yield f"sqlite:///{workdir / 'restored.sqlite3'}"
        return
    from psycopg import sql

    name = f"motcua_drill_{secrets.token_hex(4)}"
    with _pg_admin(source_url) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(urlsplit(source_url)._replace(path=f"/{name}"))
    finally:
        with _pg_admin(source_url) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def drill(*, database_url: str, media_root: Path, workdir: Path) -> DrillFigures:
    """Back up the source (database + media), restore into a fresh database and media folder, verify."""
    backup_dir = workdir / "backup"
    outputs: dict[str, str] = {}
    source_env = command_env(database_url=database_url, media_root=media_root, var_dir=workdir / "var-source")
    started = time.monotonic()
    outputs["backup"] = motcua(["backup", "--output", str(backup_dir)], env=source_env).stdout
    backup_seconds = time.monotonic() - started
    manifest = json.loads((backup_dir / "manifest.json").read_text(encoding="utf-8"))
    with fresh_database(database_url, workdir) as target_url:
        target_env = command_env(
            database_url=target_url, media_root=workdir / "restored-media", var_dir=workdir / "var-target"
        )
        started = time.monotonic()
        outputs["restore"] = motcua(["restore", str(backup_dir)], env=target_env).stdout
        restore_seconds = time.monotonic() - started
        started = time.monotonic()
        outputs["verify"] = motcua(["verify-backup", str(backup_dir)], env=target_env).stdout
        verify_seconds = time.monotonic() - started
    match = re.search(r"trong ([\d.]+) giây", outputs["restore"])
    return DrillFigures(
        vendor=manifest["database"]["vendor"],
        models=len(manifest["rows"]),
        rows=sum(manifest["rows"].values()),
        dossiers=manifest["chain_heads"]["dossiers"],
        events=manifest["chain_heads"]["events"],
        files=manifest["storage"]["files"],
        file_bytes=manifest["storage"]["bytes"],
        dump_bytes=manifest["database"]["size"],
        backup_seconds=backup_seconds,
        restore_seconds=restore_seconds,
        verify_seconds=verify_seconds,
        backup_work_seconds=manifest["seconds"]["total"],
        restore_work_seconds=float(match.group(1)) if match else float("nan"),
        outputs=outputs,
    )


def random_files(media_root: Path, *, count: int, kib: int) -> None:
    """``count`` random files, stored as the application stores them (content-addressed names)."""
    for _ in range(count):
        content = os.urandom(kib * 1024)
        digest = hashlib.sha256(content).hexdigest()
        path = media_root / "drill" / digest[:2] / digest[2:4] / f"{digest}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def _source_prepare(url: str, env: dict[str, str], simulate: int) -> None:
    if not url.startswith("sqlite"):
        from psycopg import errors, sql

        name = urlsplit(url).path.lstrip("/")
        with _pg_admin(url) as admin, contextlib.suppress(errors.DuplicateDatabase):
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    for args in (["migrate", "--noinput", "-v", "0"], ["load-demo"]):
        motcua(args, env=env)
    if simulate:
        motcua(["simulate", "--dossiers", str(simulate), "--days", "365", "-v", "0"], env=env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="source database (default: a new demo SQLite database)")
    parser.add_argument("--media-root", help="source media folder (default: a new one)")
    parser.add_argument("--prepare", action="store_true", help="migrate + load-demo the given source first")
    parser.add_argument(
        "--simulate", type=int, default=0, help="simulated dossiers added to a prepared source"
    )
    parser.add_argument("--files", type=int, default=0, help="random files added to the source's media")
    parser.add_argument("--file-kib", type=int, default=256)
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="motcua-drill-") as tmp:
        workdir = Path(tmp)
        url = options.database_url or f"sqlite:///{workdir / 'source.sqlite3'}"
        media_root = Path(options.media_root) if options.media_root else workdir / "media"
        if options.prepare or not options.database_url:
            started = time.monotonic()
            env = command_env(database_url=url, media_root=media_root, var_dir=workdir / "var-source")
            _source_prepare(url, env, options.simulate)
            print(f"source prepared in {time.monotonic() - started:.1f} s")
        if options.files:
            random_files(media_root, count=options.files, kib=options.file_kib)
        try:
            figures = drill(database_url=url, media_root=media_root, workdir=workdir)
        except DrillFailed as exc:
            print(exc, file=sys.stderr)
            return 1
        for line in figures.lines():
            print(line)
        print(figures.outputs["verify"].strip().splitlines()[-1])
    return 0


if __name__ == "__main__":
    sys.exit(main())

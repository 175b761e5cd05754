"""Backup, restore and verification — sao lưu và khôi phục (docs/operations.md, docs/architecture.md §30).

A backup is one directory:

* ``database.dump`` (PostgreSQL, ``pg_dump --format=custom``) or ``database.sqlite3`` (SQLite, a copy
  made with SQLite's online backup API, consistent while the application writes);
* ``files/<name>``: every object of the default file storage (``STORAGES["default"]``: MEDIA_ROOT on the
  filesystem, or the S3 bucket), read and written through Django's storage API, streamed;
* ``secrets/<SETTING>/…`` only with ``include_secrets``: the development key material kept under
  ``var/`` (the signing PKI, an audit seal key) — production keys live in the HSM or secret store;
* ``manifest.json``, written last (its presence marks a complete backup): what was backed up and the
  figures a restored system must reproduce — row counts of every installed model, the digest of the
  dossiers' audit chain heads, each file's size and SHA-256, the dump's SHA-256.

Consistency. On PostgreSQL the row counts and chain heads are read in the repeatable-read transaction
whose snapshot ``pg_dump --snapshot`` dumps, so they describe exactly the dumped data. On SQLite they
are read from the finished copy. Files are copied after the database: stored files are
content-addressed and never overwritten (core.storage), so every file the dump refers to is already
in the storage when it is copied; files stored meanwhile are extra and harmless.

Layering: core imports no app. The dossier models are reached by label (``apps.get_model``) for the
chain heads, and every model generically for the row counts.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Model

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
PG_DUMP_NAME = "database.dump"
SQLITE_DUMP_NAME = "database.sqlite3"
FILES_DIR = "files"
SECRETS_DIR = "secrets"
_CHUNK = 1024 * 1024
# Settings naming key material kept on disk in development (the audit seal key, when the seal app
# defines one, follows the same naming).
_SECRET_SETTING = re.compile(r"^MOTCUA_[A-Z0-9_]*(SIGNING_KEY_DIR|SEAL[A-Z0-9_]*KEY[A-Z0-9_]*)$")

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup, restore or verification that cannot go on; the message is Vietnamese, for the operator."""


# --- small helpers ----------------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_hashing(source: IO[bytes], target: IO[bytes]) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    for chunk in iter(lambda: source.read(_CHUNK), b""):
        digest.update(chunk)
        target.write(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def _safe_relative(name: str) -> PurePosixPath:
    """A storage name or manifest path as a relative path that stays inside its folder."""
    path = PurePosixPath(name)
    if not name or path.is_absolute() or any(part in ("", ".", "..") for part in path.parts):
        raise BackupError(f"Tên tệp không hợp lệ trong bản sao lưu: {name!r}.")
    return path


def _vendor(using: str = DEFAULT_DB_ALIAS) -> str:
    return connections[using].vendor


def _nothing(_message: str) -> None:
    return None


# --- what a database holds: row counts and chain heads ----------------------------------------------


def backed_up_models() -> list[type[Model]]:
    """Every installed model with its own table (proxies and unmanaged models share or lack one)."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


class SqlReader:
    """Rows of SQL queries on one database: the configured one (Django's connection) or a SQLite copy.

    Plain SQL on table and column names taken from the models' ``_meta``, so that the same figures are
    computed, in the same way, from a live database and from the SQLite file just copied. Large results
    are streamed (a server-side cursor on PostgreSQL).
    """

    def __init__(self, *, using: str = DEFAULT_DB_ALIAS, sqlite_path: Path | None = None) -> None:
        self.using, self.sqlite_path = using, sqlite_path

    def rows(self, query: str) -> Iterator[tuple[Any, ...]]:
        if self.sqlite_path is not None:
            uri = f"file:{self.sqlite_path}?mode=ro"
            with contextlib.closing(sqlite3.connect(uri, uri=True)) as connection:
                yield from connection.execute(query)
            return
        with connections[self.using].chunked_cursor() as cursor:
            cursor.execute(query)
            while batch := cursor.fetchmany(5000):
                yield from batch

    def tables(self) -> set[str]:
        if self.sqlite_path is not None:
            return {row[0] for row in self.rows("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return set(connections[self.using].introspection.table_names())


def _q(name: str) -> str:
    """A quoted SQL identifier (standard double quotes: PostgreSQL and SQLite alike)."""
    return '"' + name.replace('"', '""') + '"'


def row_counts(reader: SqlReader | None = None) -> dict[str, int]:
    reader = reader or SqlReader()
    tables = reader.tables()
    counts: dict[str, int] = {}
    for model in backed_up_models():
        table = model._meta.db_table
        if table in tables:
            counts[model._meta.label] = int(next(reader.rows(f"SELECT count(*) FROM {_q(table)}"))[0])
    return dict(sorted(counts.items()))


@dataclass(frozen=True)
class ChainHeads:
    """The digest of every dossier's audit chain head: sha256 over ``id:event_count:last_hash`` lines."""

    dossiers: int
    events: int
    sha256: str

    def as_dict(self) -> dict[str, Any]:
        return {"dossiers": self.dossiers, "events": self.events, "sha256": self.sha256}


def _heads_digest(heads: Iterable[tuple[Any, ...]]) -> ChainHeads:
    digest = hashlib.sha256()
    dossiers = events = 0
    for pk, count, last_hash in heads:
        digest.update(f"{pk}:{count}:{last_hash or ''}\n".encode())
        dossiers += 1
        events += int(count)
    return ChainHeads(dossiers, events, digest.hexdigest())


def _column(model: type[Model], field_name: str) -> str:
    column = model._meta.get_field(field_name).column  # type: ignore[union-attr]
    return _q(str(column))


def chain_heads_recorded(reader: SqlReader | None = None) -> ChainHeads:
    """From the heads kept on the dossiers (``event_count``, ``last_event_hash``), in id order."""
    reader = reader or SqlReader()
    dossier = apps.get_model("dossiers", "Dossier")
    pk = _q(dossier._meta.pk.column)
    count, last = _column(dossier, "event_count"), _column(dossier, "last_event_hash")
    return _heads_digest(
        reader.rows(f"SELECT {pk}, {count}, {last} FROM {_q(dossier._meta.db_table)} ORDER BY {pk}")
    )


def chain_heads_from_events(reader: SqlReader | None = None) -> ChainHeads:
    """Recomputed from the events themselves: per dossier, how many and the hash of the last one.

    Equal to ``chain_heads_recorded`` of the backed-up system only if every event came back.
    """
    reader = reader or SqlReader()
    dossier = apps.get_model("dossiers", "Dossier")
    event = apps.get_model("dossiers", "DossierEvent")
    d_table, e_table = _q(dossier._meta.db_table), _q(event._meta.db_table)
    d_pk = _q(dossier._meta.pk.column)
    e_dossier, e_seq, e_hash = (_column(event, name) for name in ("dossier", "seq", "hash"))
    query = f"""
        SELECT d.{d_pk}, COALESCE(heads.n, 0), COALESCE(last.{e_hash}, '')
        FROM {d_table} d
        LEFT JOIN (
            SELECT {e_dossier} AS dossier_id, count(*) AS n, max({e_seq}) AS top
            FROM {e_table} GROUP BY {e_dossier}
        ) heads ON heads.dossier_id = d.{d_pk}
        LEFT JOIN {e_table} last ON last.{e_dossier} = d.{d_pk} AND last.{e_seq} = heads.top
        ORDER BY d.{d_pk}
    """
    return _heads_digest(reader.rows(query))


def database_figures(reader: SqlReader | None = None) -> dict[str, Any]:
    return {"rows": row_counts(reader), "chain_heads": chain_heads_recorded(reader).as_dict()}


# --- the file storage --------------------------------------------------------------------------------


def default_storage() -> Storage:
    return storages["default"]


def storage_names(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every object name of the storage, depth first (``listdir`` works on folders and S3 prefixes)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # MEDIA_ROOT not created yet: nothing stored
        return
    prefix = f"{folder}/" if folder else ""
    for name in sorted(files):
        yield prefix + name
    for sub in sorted(folders):
        yield from storage_names(storage, prefix + sub)


def storage_backup(storage: Storage, folder: Path) -> list[dict[str, Any]]:
    """Copy every object of the storage into ``folder`` under its name, streamed; their manifest entries."""
    files: list[dict[str, Any]] = []
    for name in storage_names(storage):
        target = folder / _safe_relative(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        with storage.open(name, "rb") as src, target.open("wb") as dst:
            size, digest = _copy_hashing(src, dst)
        files.append({"path": name, "size": size, "sha256": digest})
    return files


def storage_restore(storage: Storage, folder: Path, entries: list[dict[str, Any]]) -> int:
    """Put the backed-up files of ``folder`` back into the storage; how many were written (not there yet)."""
    return sum(_restore_file(storage, folder / _safe_relative(entry["path"]), entry) for entry in entries)


def storage_hash(storage: Storage, name: str) -> tuple[int, str] | None:
    """Size and SHA-256 of a stored object, or None when it cannot be read."""
    digest = hashlib.sha256()
    size = 0
    try:
        with storage.open(name, "rb") as handle:
            for chunk in iter(lambda: handle.read(_CHUNK), b""):
                digest.update(chunk)
                size += len(chunk)
    except Exception:  # FileNotFoundError; botocore's ClientError (NoSuchKey) on S3
        return None
    return size, digest.hexdigest()


# --- PostgreSQL client programs ----------------------------------------------------------------------


def _pg_env(using: str = DEFAULT_DB_ALIAS) -> dict[str, str]:
    """libpq environment for the configured database: the password never appears on a command line."""
    db = connections[using].settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    values = {
        "PGHOST": db.get("HOST"),
        "PGPORT": db.get("PORT"),
        "PGUSER": db.get("USER"),
        "PGPASSWORD": db.get("PASSWORD"),
        "PGDATABASE": db.get("NAME"),
    }
    options = db.get("OPTIONS") or {}
    for option in ("sslmode", "sslrootcert", "sslcert", "sslkey", "service", "passfile"):
        if options.get(option):
            values[f"PG{option.upper()}"] = str(options[option])
    env.update({key: str(value) for key, value in values.items() if value})
    return env


def _program_major(program: str) -> int | None:
    try:
        out = subprocess.run(
            [program, "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    # "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)"
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", out) or re.search(r"(\d+)", out)
    return int(match.group(1)) if match else None


def pg_program(name: str, *, using: str = DEFAULT_DB_ALIAS) -> str:
    """``pg_dump``/``pg_restore`` of the server's major version (or newer): an older client refuses a
    newer server, and its archive format may not be readable by an older ``pg_restore``."""
    connection = connections[using]
    connection.ensure_connection()
    server_major = int(getattr(connection, "pg_version", 0)) // 10000
    candidates: list[Path] = []
    if getattr(settings, "MOTCUA_PG_BIN_DIR", ""):
        candidates.append(Path(settings.MOTCUA_PG_BIN_DIR) / name)
    candidates += [
        Path(f"/usr/lib/postgresql/{server_major}/bin/{name}"),  # Debian, Ubuntu
        Path(f"/usr/pgsql-{server_major}/bin/{name}"),  # RHEL (PGDG)
        Path(f"/opt/homebrew/opt/postgresql@{server_major}/bin/{name}"),  # macOS
    ]
    found = shutil.which(name)
    if found:
        candidates.append(Path(found))
    tried = []
    for candidate in candidates:
        if not candidate.exists():
            continue
        major = _program_major(str(candidate))
        tried.append(f"{candidate} ({major})")
        if major is not None and major >= server_major:
            return str(candidate)
    raise BackupError(
        f"Không tìm thấy {name} phiên bản ≥ {server_major} (phiên bản của máy chủ PostgreSQL); "
        f"đã thử: {', '.join(tried) or 'không có'}. Cài gói postgresql-client-{server_major} "
        "hoặc đặt MOTCUA_PG_BIN_DIR."
    )


def _run(command: list[str], *, env: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{what} thất bại (mã {result.returncode}): {result.stderr.strip()[-2000:]}")


# --- backup ------------------------------------------------------------------------------------------


def _motcua_version() -> dict[str, str | None]:
    try:
        version: str | None = metadata.version("motcua")
    except metadata.PackageNotFoundError:
        version = None
    commit = None
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        result = subprocess.run(
            ["git", "-C", str(settings.PROJECT_DIR), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        if result.returncode == 0:
            commit = result.stdout.strip() or None
    return {"version": version, "git_commit": commit}


def _dump_postgresql(target: Path) -> dict[str, Any]:
    """``pg_dump`` of the snapshot whose row counts and chain heads are read in the same transaction."""
    pg_dump = pg_program("pg_dump")
    connection = connections[DEFAULT_DB_ALIAS]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        command = [pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={target}"]
        _run(command, env=_pg_env(), what="pg_dump")
        figures = database_figures()
    figures["server_version"] = int(getattr(connection, "pg_version", 0))
    figures["tool"] = f"{Path(pg_dump).name} {_program_major(pg_dump)}"
    return figures


def sqlite_backup(source: str, target: Path) -> None:
    """SQLite's online backup API: a consistent copy while other connections write.

    All pages in one step, inside one read transaction: in WAL mode (ours, settings.py) writers go on
    meanwhile and the copy is the committed state at its start. (Copying in several steps would
    restart the copy after each write of another connection: a busy system could keep it from ever
    finishing.) The copy is then switched out of WAL mode, so that it is one self-contained file.
    """
    with (
        contextlib.closing(sqlite3.connect(source, timeout=60)) as src,
        contextlib.closing(sqlite3.connect(str(target))) as dst,
    ):
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")


def _dump_sqlite(target: Path) -> dict[str, Any]:
    source = str(connections[DEFAULT_DB_ALIAS].settings_dict["NAME"])
    if source == ":memory:" or "mode=memory" in source:
        raise BackupError("Cơ sở dữ liệu SQLite trong bộ nhớ không sao lưu được.")
    sqlite_backup(source, target)
    figures = database_figures(SqlReader(sqlite_path=target))
    figures["server_version"] = sqlite3.sqlite_version
    figures["tool"] = "sqlite3 online backup"
    return figures


def _secret_sources() -> list[tuple[str, Path]]:
    sources = []
    for name in sorted(set(dir(settings))):  # an overridden setting is listed twice
        if _SECRET_SETTING.match(name):
            value = getattr(settings, name)
            if isinstance(value, str | Path) and str(value) and Path(value).exists():
                sources.append((name, Path(value)))
    return sources


def _copy_secrets(output: Path) -> list[dict[str, Any]]:
    entries = []
    for setting, source in _secret_sources():
        files = [source] if source.is_file() else sorted(p for p in source.rglob("*") if p.is_file())
        for path in files:
            relative = path.name if source.is_file() else path.relative_to(source).as_posix()
            target = output / SECRETS_DIR / setting / relative
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            with path.open("rb") as src, _private_open(target) as dst:
                size, digest = _copy_hashing(src, dst)
            entries.append(
                {
                    "setting": setting,
                    "kind": "file" if source.is_file() else "dir",
                    "path": relative,
                    "size": size,
                    "sha256": digest,
                }
            )
    return entries


def _private_open(path: Path) -> IO[bytes]:
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


def backup_create(
    *, output: Path, include_secrets: bool = False, progress: Progress = _nothing
) -> dict[str, Any]:
    """Write a backup into ``output`` (absent or empty); return its manifest."""
    if output.exists() and any(output.iterdir()):
        raise BackupError(f"Thư mục {output} đã có dữ liệu: chọn một thư mục mới hoặc trống.")
    output.mkdir(parents=True, exist_ok=True)
    output.chmod(0o700)  # personal data, and keys with --include-secrets
    started = time.monotonic()
    created_at = datetime.now(UTC)
    vendor = _vendor()
    if vendor == "postgresql":
        dump = output / PG_DUMP_NAME
        progress("Đang sao lưu cơ sở dữ liệu PostgreSQL (pg_dump)…")
        figures = _dump_postgresql(dump)
    elif vendor == "sqlite":
        dump = output / SQLITE_DUMP_NAME
        progress("Đang sao lưu cơ sở dữ liệu SQLite (sao lưu trực tuyến)…")
        figures = _dump_sqlite(dump)
    else:
        raise BackupError(f"Chưa hỗ trợ sao lưu cơ sở dữ liệu {vendor}.")
    dump.chmod(0o600)
    database_seconds = time.monotonic() - started

    progress("Đang sao lưu các tệp đã lưu trữ…")
    storage = default_storage()
    files = storage_backup(storage, output / FILES_DIR)

    secrets = _copy_secrets(output) if include_secrets else []
    manifest = {
        "format": "motcua-backup",
        "format_version": FORMAT_VERSION,
        "created_at": created_at.isoformat(timespec="seconds"),
        "motcua": _motcua_version(),
        "database": {
            "vendor": vendor,
            "server_version": figures["server_version"],
            "tool": figures["tool"],
            "dump": dump.name,
            "size": dump.stat().st_size,
            "sha256": sha256_file(dump),
        },
        "rows": figures["rows"],
        "chain_heads": figures["chain_heads"],
        "storage": {
            "backend": f"{type(storage).__module__}.{type(storage).__qualname__}",
            "files": len(files),
            "bytes": sum(f["size"] for f in files),
        },
        "files": files,
        "secrets": secrets,
        "seconds": {
            "database": round(database_seconds, 3),
            "total": round(time.monotonic() - started, 3),
        },
    }
    partial = output / f".{MANIFEST}.partial"
    partial.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    partial.replace(output / MANIFEST)
    return manifest


# --- reading a backup --------------------------------------------------------------------------------


def manifest_read(source: Path) -> dict[str, Any]:
    path = source / MANIFEST
    if not path.is_file():
        raise BackupError(f"{source} không phải một bản sao lưu hoàn chỉnh của motcua (thiếu {MANIFEST}).")
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise BackupError(f"{path} không đọc được: {exc}.") from exc
    if manifest.get("format") != "motcua-backup":
        raise BackupError(f"{path} không phải tệp kê khai bản sao lưu của motcua.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"Bản sao lưu định dạng {manifest.get('format_version')}, "
            f"phiên bản này chỉ đọc định dạng {FORMAT_VERSION}."
        )
    return manifest


@dataclass
class Report:
    """Findings of a verification: ``problems`` make it fail; ``notes`` are for the reader only."""

    checked: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_archive(source: Path) -> Report:
    """The backup's own integrity: the dump, every file and every secret against the manifest."""
    manifest = manifest_read(source)
    report = Report()
    database = manifest["database"]
    dump = source / database["dump"]
    if not dump.is_file():
        report.problems.append(f"Thiếu tệp cơ sở dữ liệu {database['dump']}.")
    elif sha256_file(dump) != database["sha256"]:
        report.problems.append(f"Tệp cơ sở dữ liệu {database['dump']} đã bị thay đổi (mã băm SHA-256 khác).")
    listed = {(FILES_DIR, entry["path"]): entry for entry in manifest["files"]}
    listed |= {(SECRETS_DIR, f"{e['setting']}/{e['path']}"): e for e in manifest.get("secrets", [])}
    for (folder, name), entry in listed.items():
        path = source / folder / _safe_relative(name)
        if not path.is_file():
            report.problems.append(f"Thiếu tệp {folder}/{name} trong bản sao lưu.")
        elif path.stat().st_size != entry["size"] or sha256_file(path) != entry["sha256"]:
            report.problems.append(
                f"Tệp {folder}/{name} trong bản sao lưu đã bị thay đổi (mã băm SHA-256 khác)."
            )
    for folder in (FILES_DIR, SECRETS_DIR):
        root = source / folder
        if root.is_dir():
            for path in root.rglob("*"):
                if path.is_file() and (folder, path.relative_to(root).as_posix()) not in listed:
                    report.problems.append(
                        f"Tệp {folder}/{path.relative_to(root).as_posix()} không có trong tệp kê khai."
                    )
    report.checked = {"dump": 1, "files": len(manifest["files"]), "secrets": len(manifest.get("secrets", []))}
    return report


# --- restore -----------------------------------------------------------------------------------------


def _motcua_tables_with_rows(using: str = DEFAULT_DB_ALIAS) -> tuple[list[str], list[str]]:
    """(tables of installed models present, labels of motcua models holding rows) in the target."""
    tables = set(connections[using].introspection.table_names())
    present, with_rows = [], []
    for model in backed_up_models():
        if model._meta.db_table not in tables:
            continue
        present.append(model._meta.db_table)
        if model._meta.app_config.name.startswith("motcua.") and model._base_manager.using(using).exists():
            with_rows.append(model._meta.label)
    return present, with_rows


def target_check_empty(vendor: str) -> None:
    """Refuse to restore over anything: a restore is never a way to overwrite a live system."""
    present, with_rows = _motcua_tables_with_rows()
    name = connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]
    if with_rows:
        shown = ", ".join(with_rows[:5]) + (
            f" và {len(with_rows) - 5} bảng khác" if len(with_rows) > 5 else ""
        )
        raise BackupError(
            f"Cơ sở dữ liệu đích ({name}) đã có dữ liệu motcua ({shown}). Không khôi phục đè lên dữ liệu "
            "đang có: hãy khôi phục vào một cơ sở dữ liệu mới, trống, rồi chuyển ứng dụng sang đó."
        )
    if present and vendor == "postgresql":
        raise BackupError(
            f"Cơ sở dữ liệu đích ({name}) đã có {len(present)} bảng của motcua (đã chạy migrate?). "
            "Hãy khôi phục vào một cơ sở dữ liệu mới tạo, chưa có bảng nào (createdb)."
        )


def _restore_postgresql(dump: Path) -> None:
    pg_restore = pg_program("pg_restore")
    connections[DEFAULT_DB_ALIAS].close()
    # One transaction: a failure leaves the target as empty as it was.
    command = [
        pg_restore,
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        "--no-password",
        f"--dbname={connections[DEFAULT_DB_ALIAS].settings_dict['NAME']}",
        str(dump),
    ]
    _run(command, env=_pg_env(), what="pg_restore")


def _restore_sqlite(dump: Path, expected_sha256: str) -> None:
    target = Path(str(connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]))
    if str(target) == ":memory:" or str(target).startswith("file:"):
        raise BackupError("Chỉ khôi phục được vào một tệp SQLite (DATABASE_URL=sqlite:///đường/dẫn).")
    connections.close_all()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, prefix=f".{target.name}.", delete=False) as tmp:
        with dump.open("rb") as src:
            _size, digest = _copy_hashing(src, tmp)
        tmp.flush()
        os.fsync(tmp.fileno())
    if digest != expected_sha256:
        Path(tmp.name).unlink()
        raise BackupError(f"Tệp cơ sở dữ liệu {dump.name} đã bị thay đổi khi sao chép (mã băm SHA-256 khác).")
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(tmp.name, target)


def _restore_file(storage: Storage, source: Path, entry: dict[str, Any]) -> bool:
    """Put one backed-up file into the storage under its name; False if it was there already."""
    name = entry["path"]
    existing = storage_hash(storage, name) if storage.exists(name) else None
    if existing is not None:
        if existing[1] == entry["sha256"]:
            return False
        raise BackupError(f"Kho lưu trữ đã có tệp {name} với nội dung khác: không ghi đè.")
    with source.open("rb") as handle:
        saved = storage.save(name, File(handle, name=name))
    if saved != name:
        raise BackupError(f"Kho lưu trữ lưu tệp {name} dưới tên khác ({saved}).")
    written = storage_hash(storage, name)
    if written is None or written[1] != entry["sha256"]:
        raise BackupError(f"Tệp {name} ghi vào kho lưu trữ không khớp mã băm SHA-256 của bản sao lưu.")
    return True


def _restore_secrets(source: Path, manifest: dict[str, Any], progress: Progress) -> int:
    restored = 0
    for entry in manifest.get("secrets", []):
        setting = entry["setting"]
        configured = getattr(settings, setting, None)
        if not configured:
            progress(f"Bỏ qua khóa của {setting}: thiết lập này không có ở phiên bản đang chạy.")
            continue
        base = Path(configured)
        target = base if entry["kind"] == "file" else base / _safe_relative(entry["path"])
        if target.exists():
            if sha256_file(target) != entry["sha256"]:
                raise BackupError(f"Đã có khóa khác tại {target}: không ghi đè khóa.")
            continue
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with (source / SECRETS_DIR / setting / entry["path"]).open("rb") as src, _private_open(target) as dst:
            _copy_hashing(src, dst)
        restored += 1
    return restored


def restore(*, source: Path, include_secrets: bool = False, progress: Progress = _nothing) -> dict[str, Any]:
    """Restore the backup at ``source`` into the configured (empty) database and the file storage."""
    manifest = manifest_read(source)
    vendor = _vendor()
    if manifest["database"]["vendor"] != vendor:
        raise BackupError(
            f"Bản sao lưu là của {manifest['database']['vendor']}, cơ sở dữ liệu đích là {vendor}: "
            "không khôi phục chéo loại cơ sở dữ liệu."
        )
    progress("Kiểm tra tính toàn vẹn của bản sao lưu…")
    archive = verify_archive(source)
    if not archive.ok:
        raise BackupError("Bản sao lưu không toàn vẹn, không khôi phục:\n" + "\n".join(archive.problems))
    target_check_empty(vendor)
    started = time.monotonic()
    dump = source / manifest["database"]["dump"]
    progress("Đang khôi phục cơ sở dữ liệu…")
    if vendor == "postgresql":
        _restore_postgresql(dump)
    else:
        _restore_sqlite(dump, manifest["database"]["sha256"])
    database_seconds = time.monotonic() - started
    progress("Đang khôi phục các tệp…")
    storage = default_storage()
    written = storage_restore(storage, source / FILES_DIR, manifest["files"])
    secrets = _restore_secrets(source, manifest, progress) if include_secrets else 0
    return {
        "rows": sum(manifest["rows"].values()),
        "files": len(manifest["files"]),
        "files_written": written,
        "bytes": manifest["storage"]["bytes"],
        "secrets": secrets,
        "seconds": {"database": round(database_seconds, 3), "total": round(time.monotonic() - started, 3)},
    }


# --- verification of a restored system ---------------------------------------------------------------


def verify_restored(source: Path) -> Report:
    """Compare the running system (database, storage) with the backup's manifest."""
    manifest = manifest_read(source)
    report = Report()
    if manifest["database"]["vendor"] != _vendor():
        report.notes.append(
            f"Bản sao lưu của {manifest['database']['vendor']}, hệ thống đang chạy trên {_vendor()}."
        )
    live = row_counts()
    expected: dict[str, int] = manifest["rows"]
    for label in sorted(set(expected) | set(live)):
        want, have = expected.get(label), live.get(label)
        if want is None:
            if have:
                report.problems.append(f"{label}: {have} dòng, bản sao lưu không có bảng này.")
        elif have is None:
            report.problems.append(f"{label}: thiếu bảng (bản sao lưu có {want} dòng).")
        elif want != have:
            report.problems.append(f"{label}: {have} dòng, bản sao lưu có {want} dòng.")
    heads = manifest["chain_heads"]
    from_events = chain_heads_from_events()
    if from_events.sha256 != heads["sha256"]:
        report.problems.append(
            "Nhật ký xử lý hồ sơ khác bản sao lưu: tính lại từ các sự kiện được "
            f"{from_events.dossiers} hồ sơ, {from_events.events} sự kiện; bản sao lưu ghi "
            f"{heads['dossiers']} hồ sơ, {heads['events']} sự kiện (mã băm đầu chuỗi khác)."
        )
    recorded = chain_heads_recorded()
    if recorded.sha256 != heads["sha256"]:
        report.problems.append("Đầu chuỗi nhật ký ghi trên hồ sơ khác bản sao lưu.")
    storage = default_storage()
    for entry in manifest["files"]:
        found = storage_hash(storage, entry["path"])
        if found is None:
            report.problems.append(f"Thiếu tệp {entry['path']} trong kho lưu trữ.")
        elif found[1] != entry["sha256"]:
            report.problems.append(
                f"Tệp {entry['path']} trong kho lưu trữ khác bản sao lưu (mã băm SHA-256 khác)."
            )
    report.checked = {
        "models": len(expected),
        "rows": sum(expected.values()),
        "dossiers": heads["dossiers"],
        "events": heads["events"],
        "files": len(manifest["files"]),
    }
    return report

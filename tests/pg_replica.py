"""A private PostgreSQL primary and its streaming replica, as real server processes, for the tests of
``motcua.core.dbrouter`` (docs/scaling.md).

``initdb`` a primary (``wal_level = replica``) on a free loopback port, ``pg_basebackup -R`` a standby
from it onto another port, both started with ``pg_ctl``; the test database's schema and rows (already
migrated by pytest-django) are copied into a database of the primary with ``pg_dump | psql`` — faster
than migrating again — and reach the standby by replication. Everything lives in a temporary
directory removed at the end. The server binaries are those of the test server's major version
(``core.backup.pg_program``). As root (CI, this machine) the servers run as the ``postgres`` OS user,
since ``initdb`` refuses root.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from tests.processes import free_port

DATABASE = "motcua_replica_test"
WAIT_SECONDS = 30


@dataclass(frozen=True)
class ReplicaPair:
    primary_port: int
    standby_port: int
    database: str

    def url(self, port: int, database: str | None = None) -> str:
        return f"postgresql://postgres@127.0.0.1:{port}/{database or self.database}"

    def primary_conn(self, database: str | None = None) -> psycopg.Connection:
        return psycopg.connect(self.url(self.primary_port, database), autocommit=True)

    def standby_conn(self, database: str | None = None) -> psycopg.Connection:
        return psycopg.connect(self.url(self.standby_port, database), autocommit=True)

    def wait_for_replay(self) -> None:
        """Until the standby has replayed everything the primary has written so far."""
        with self.primary_conn("postgres") as primary:
            row = primary.execute("SELECT pg_current_wal_lsn()").fetchone()
        assert row is not None
        target = row[0]
        deadline = time.monotonic() + WAIT_SECONDS
        with self.standby_conn("postgres") as standby:
            while time.monotonic() < deadline:
                done = standby.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]).fetchone()
                if done and done[0]:
                    return
                time.sleep(0.05)
        raise AssertionError(f"the standby did not replay up to {target} within {WAIT_SECONDS} s")


def _as_postgres(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def _run(argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(_as_postgres(argv), check=True, capture_output=True, **kwargs)  # type: ignore[call-overload]


def binaries_available(pg_bin: Path) -> bool:
    if not (pg_bin / "initdb").exists() or not (pg_bin / "pg_basebackup").exists():
        return False
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return False
        return shutil.which("runuser") is not None
    return True


@contextmanager
def replica_pair(*, pg_bin: Path, source_url: str) -> Iterator[ReplicaPair]:
    """Start the pair, copy the database at ``source_url`` into the primary, wait until the standby
    has it; stop both servers and remove their files on exit."""
    root = Path(tempfile.mkdtemp(prefix="motcua-replica-"))
    primary_dir, standby_dir = root / "primary", root / "standby"
    if os.geteuid() == 0:
        entry = pwd.getpwnam("postgres")
        os.chown(root, entry.pw_uid, entry.pw_gid)
    pair = ReplicaPair(primary_port=free_port(), standby_port=free_port(), database=DATABASE)
    started: list[Path] = []
    try:
        _run([str(pg_bin / "initdb"), "-D", str(primary_dir), "-U", "postgres", "--auth=trust", "-E", "UTF8"])
        settings = (
            f"port = {pair.primary_port}\nlisten_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{root}'\nwal_level = replica\nmax_wal_senders = 4\n"
            # A test cluster: its data is thrown away, durability buys nothing.
            "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nshared_buffers = 16MB\n"
        )
        _append(primary_dir / "postgresql.conf", settings)
        _run([str(pg_bin / "pg_ctl"), "-D", str(primary_dir), "-l", str(root / "primary.log"), "-w", "start"])
        started.append(primary_dir)
        _run(
            [
                str(pg_bin / "pg_basebackup"),
                *("-h", "127.0.0.1", "-p", str(pair.primary_port), "-U", "postgres"),
                *("-D", str(standby_dir), "-R", "-X", "stream", "-c", "fast"),
            ]
        )
        # postgresql.auto.conf (written by -R with primary_conninfo) overrides the copied port.
        _append(standby_dir / "postgresql.auto.conf", f"port = {pair.standby_port}\nhot_standby = on\n")
        _run([str(pg_bin / "pg_ctl"), "-D", str(standby_dir), "-l", str(root / "standby.log"), "-w", "start"])
        started.append(standby_dir)
        with pair.primary_conn("postgres") as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")
        dump = subprocess.run(
            [str(pg_bin / "pg_dump"), "--no-owner", "--no-privileges", "-d", source_url],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [str(pg_bin / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-d", pair.url(pair.primary_port)],
            input=dump.stdout,
            check=True,
            capture_output=True,
        )
        pair.wait_for_replay()
        yield pair
    finally:
        for data_dir in reversed(started):
            subprocess.run(
                _as_postgres([str(pg_bin / "pg_ctl"), "-D", str(data_dir), "-m", "immediate", "-w", "stop"]),
                capture_output=True,
            )
        shutil.rmtree(root, ignore_errors=True)


def _append(path: Path, text: str) -> None:
    # The data directory belongs to the postgres user; root can still append to its files.
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)

"""Backup, restore and verification (motcua/core/backup.py) on the suite's database, real files.

The whole drill (restore into a fresh database, in separate processes) is tests/drills; here: what
the manifest records, what verification detects, what restore refuses, and the SQLite online copy
under concurrent writes.
"""

from __future__ import annotations

import hashlib
import io
import sqlite3
import stat
import threading
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from motcua.core.backup import (
    backup_create,
    chain_heads_from_events,
    chain_heads_recorded,
    sqlite_backup,
    storage_backup,
    storage_restore,
    verify_archive,
    verify_restored,
)
from motcua.core.tests import upload_files
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierComponent, DossierEvent
from motcua.dossiers.tests.factories import dossier_receive_at_counter, world_build


def _dossiers_with_files(count: int) -> list[Dossier]:
    world = world_build()
    form = world.procedure.documents.order_by("order")[0]
    dossiers = []
    for index in range(count):
        upload = SimpleUploadedFile(
            f"don-{index}.pdf", upload_files.pdf_bytes(pages=index + 1), content_type="application/pdf"
        )
        component = services.ComponentData(document_id=form.pk, paper_presented=True, file=upload)
        dossiers.append(dossier_receive_at_counter(world, components=[component]))
    return dossiers


def _verify(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("verify_backup", *args, stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue() + str(exc)
    return 0, out.getvalue()


@pytest.mark.django_db(transaction=True)  # committed: pg_dump and SQLite's backup read other connections
def test_verification_finds_a_tampered_backup_a_missing_row_and_an_altered_stored_file(
    tmp_path: Path, settings
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    first, second = _dossiers_with_files(2)
    backup = tmp_path / "backup"

    manifest = backup_create(output=backup)

    assert manifest["rows"]["dossiers.Dossier"] == 2
    assert manifest["rows"]["dossiers.DossierComponent"] == DossierComponent.objects.count()
    assert manifest["chain_heads"] == chain_heads_from_events().as_dict() == chain_heads_recorded().as_dict()
    stored = {c.file.name: c.file_sha256 for c in DossierComponent.objects.exclude(file="")}
    assert {f["path"]: f["sha256"] for f in manifest["files"]} == stored
    assert manifest["secrets"] == []
    assert not (backup / "secrets").exists()
    assert stat.S_IMODE(backup.stat().st_mode) == 0o700
    assert verify_archive(backup).ok
    assert verify_restored(backup).ok
    assert _verify(str(backup))[0] == 0

    # The backup's copy of a file altered: the archive check names it, and restore refuses the backup.
    name = sorted(stored)[0]
    (backup / "files" / name).write_bytes(b"%PDF-1.7 not the original")
    code, report = _verify(str(backup), "--archive-only")
    assert code == 1
    assert f"files/{name}" in report
    with pytest.raises(CommandError, match="không toàn vẹn"):
        call_command("restore", str(backup), stdout=io.StringIO())

    # The live system differs from the backup: a row gone, the last audit event gone, a stored file altered.
    components = DossierComponent.objects.count()
    removed, _ = DossierComponent.objects.filter(dossier=first).delete()
    _event_delete_as_dba(second)
    altered = sorted(stored)[1]
    (tmp_path / "media" / altered).write_bytes(b"%PDF-1.7 altered")
    code, report = _verify(str(backup))
    assert code == 1
    assert (
        f"dossiers.DossierComponent: {components - removed} dòng, bản sao lưu có {components} dòng" in report
    )
    assert "dossiers.DossierEvent:" in report
    assert "Nhật ký xử lý hồ sơ khác bản sao lưu" in report
    assert f"Tệp {altered} trong kho lưu trữ khác bản sao lưu" in report


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_with_motcua_data_and_secrets_need_the_flag(
    tmp_path: Path, settings
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    pki = tmp_path / "pki"
    (pki / "leaders").mkdir(parents=True)
    (pki / "leaders" / "lanhdao.key").write_bytes(b"-----BEGIN PRIVATE KEY-----\n")
    settings.MOTCUA_SIGNING_KEY_DIR = pki
    settings.MOTCUA_AUDIT_SEAL_KEY_FILE = tmp_path / "audit-seal.key"
    settings.MOTCUA_AUDIT_SEAL_KEY_FILE.write_bytes(b"seal key")
    _dossiers_with_files(1)

    manifest = backup_create(output=tmp_path / "backup", include_secrets=True)

    key = hashlib.sha256(b"-----BEGIN PRIVATE KEY-----\n").hexdigest()
    assert sorted((s["setting"], s["path"], s["sha256"]) for s in manifest["secrets"]) == [
        ("MOTCUA_AUDIT_SEAL_KEY_FILE", "audit-seal.key", hashlib.sha256(b"seal key").hexdigest()),
        ("MOTCUA_SIGNING_KEY_DIR", "leaders/lanhdao.key", key),
    ]
    copy = tmp_path / "backup" / "secrets" / "MOTCUA_SIGNING_KEY_DIR" / "leaders" / "lanhdao.key"
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    with pytest.raises(CommandError, match="đã có dữ liệu motcua") as refused:
        call_command("restore", str(tmp_path / "backup"), stdout=io.StringIO())
    assert "dossiers.Dossier" in str(refused.value) or "accounts.Account" in str(refused.value)
    assert Dossier.objects.count() == 1
    assert verify_restored(tmp_path / "backup").ok


def test_backup_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(CommandError, match="đã có dữ liệu"):
        call_command("backup", "--output", str(tmp_path), stdout=io.StringIO())


def test_sqlite_online_backup_is_consistent_while_a_thread_writes(tmp_path: Path) -> None:
    live = tmp_path / "live.sqlite3"
    with sqlite3.connect(live) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE dossier (id INTEGER PRIMARY KEY, payload BLOB)")
        setup.execute("CREATE TABLE event (id INTEGER PRIMARY KEY, dossier_id INTEGER)")
        # Enough pages that the copy is not instantaneous.
        setup.executemany("INSERT INTO dossier (payload) VALUES (?)", ((bytes(2048),) for _ in range(4000)))
        setup.execute("INSERT INTO event (dossier_id) SELECT id FROM dossier")
    stop = threading.Event()
    written = [0]

    def writer() -> None:
        # Each transaction writes a dossier and its event: a copy holding one without the other
        # would be an inconsistent copy.
        with sqlite3.connect(live, timeout=30) as connection:
            while not stop.is_set():
                with connection:
                    cursor = connection.execute("INSERT INTO dossier (payload) VALUES (?)", (bytes(2048),))
                    connection.execute("INSERT INTO event (dossier_id) VALUES (?)", (cursor.lastrowid,))
                written[0] += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        copies = []
        for index in range(3):
            copy = tmp_path / f"copy-{index}.sqlite3"
            sqlite_backup(str(live), copy)
            copies.append(copy)
    finally:
        stop.set()
        thread.join()

    assert written[0] > 0
    for copy in copies:
        with sqlite3.connect(copy) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)
            dossiers, events, orphans = connection.execute(
                "SELECT (SELECT count(*) FROM dossier), (SELECT count(*) FROM event), "
                "(SELECT count(*) FROM dossier d WHERE NOT EXISTS "
                "(SELECT 1 FROM event e WHERE e.dossier_id = d.id))"
            ).fetchone()
        assert dossiers == events >= 4000
        assert orphans == 0
    with sqlite3.connect(live) as connection:
        assert connection.execute("SELECT count(*) FROM dossier").fetchone() == (4000 + written[0],)


def test_files_back_up_and_restore_through_s3(s3_storage, settings, tmp_path: Path) -> None:
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    server, bucket = s3_storage
    contents = {
        "results/ab/cd/abcd.pdf": b"%PDF-1.7 result",
        "dossiers/01/02/0102.png": b"\x89PNG scan",
        "top.txt": b"at the root",
    }
    for name, content in contents.items():
        assert storages["default"].save(name, ContentFile(content)) == name

    entries = storage_backup(storages["default"], tmp_path / "files")

    assert {e["path"]: e["sha256"] for e in entries} == {
        name: hashlib.sha256(content).hexdigest() for name, content in contents.items()
    }
    # Into another, empty bucket: every object written and read back.
    other = f"{bucket}-restored"
    server.client().create_bucket(Bucket=other)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": server.storage_options(other)},
    }
    assert storage_restore(storages["default"], tmp_path / "files", entries) == 3
    assert storage_restore(storages["default"], tmp_path / "files", entries) == 0  # already there
    for name, content in contents.items():
        assert server.client().get_object(Bucket=other, Key=name)["Body"].read() == content


def _event_delete_as_dba(dossier: Dossier) -> None:
    """Delete the dossier's last event as a database administrator can: the event table is append-only
    (a PostgreSQL trigger; SQLite refuses only UPDATE). The test is transactional, so the trigger is
    switched back on at once rather than left to a rollback."""
    last = DossierEvent.objects.filter(dossier=dossier, seq=dossier.event_count)
    if connection.vendor != "postgresql":
        last.delete()
        return
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE dossiers_dossierevent DISABLE TRIGGER motcua_append_only")
        try:
            last.delete()
        finally:
            cursor.execute("ALTER TABLE dossiers_dossierevent ENABLE TRIGGER motcua_append_only")

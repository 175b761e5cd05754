"""Hash-chained audit log and ``motcua verify-audit``: edits and deletions of events and of the dossier
row are reported, exit code 1; the event table refuses UPDATE and DELETE (docs/architecture.md §29)."""

from __future__ import annotations

import io
import itertools
from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from motcua.dossiers.audit import chain_verify, event_hash
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.tests.factories import ALL_STAGES, MONDAY_0900, World, dossier_at
from motcua.dossiers.tests.tampering import as_dba, chain_rewrite


@pytest.fixture
def dossier(world: World) -> Dossier:
    with time_machine.travel(MONDAY_0900, tick=False):
        return dossier_at(world, "approval")


def verify(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("verify_audit", *args, stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue() + str(exc)
    return 0, out.getvalue()


def test_chain_links_every_event(dossier: Dossier) -> None:
    events = list(DossierEvent.objects.filter(dossier=dossier).order_by("seq"))
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == ""
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    assert all(event_hash(e) == e.hash for e in events)
    assert dossier.last_event_hash == events[-1].hash
    assert dossier.event_count == 3
    assert chain_verify(dossier, events) == []
    assert verify() == (0, "Đã kiểm tra 1 hồ sơ và 0 niêm phong: nhật ký toàn vẹn.\n")


def test_event_table_refuses_update_and_delete(dossier: Dossier) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        DossierEvent.objects.filter(dossier=dossier, seq=2).update(reason="sửa lén")
    if connection.vendor == "postgresql":
        # SQLite refuses UPDATE only: Django empties its tables with DELETE FROM between tests.
        with pytest.raises(DatabaseError), transaction.atomic():
            DossierEvent.objects.filter(dossier=dossier, seq=3).delete()
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM dossiers_dossierevent")
    assert DossierEvent.objects.get(dossier=dossier, seq=2).reason == ""
    assert verify()[0] == 0


def test_edited_reason_is_reported(dossier: Dossier) -> None:
    with as_dba():
        DossierEvent.objects.filter(dossier=dossier, seq=2).update(reason="sửa lén")
    code, output = verify()
    assert code == 1
    assert f"{dossier.code}: sự kiện số 2 (forward) đã bị sửa nội dung." in output


def test_edited_data_is_reported(dossier: Dossier) -> None:
    with as_dba():
        DossierEvent.objects.filter(dossier=dossier, seq=1).update(data={"due_at": "2099-01-01"})
    code, output = verify("--dossier", dossier.code)
    assert code == 1
    assert "sự kiện số 1" in output


def test_deleted_last_event_is_reported(dossier: Dossier) -> None:
    with as_dba():
        DossierEvent.objects.filter(dossier=dossier, seq=3).delete()
    code, output = verify()
    assert code == 1
    assert "ghi nhận 3 sự kiện nhưng nhật ký còn 2" in output


def test_deleted_middle_event_is_reported(dossier: Dossier) -> None:
    with as_dba():
        DossierEvent.objects.filter(dossier=dossier, seq=2).delete()
    code, output = verify()
    assert code == 1
    assert "thiếu sự kiện số 2" in output
    assert "không nối" in output


def test_only_the_named_dossier_is_checked(world: World, dossier: Dossier) -> None:
    with time_machine.travel(MONDAY_0900, tick=False):
        clean = dossier_at(world, "received")
    with as_dba():
        DossierEvent.objects.filter(dossier=dossier, seq=2).update(reason="x")
    assert verify("--dossier", clean.code)[0] == 0
    assert verify("--dossier", dossier.code)[0] == 1
    with pytest.raises(CommandError, match="Không tìm thấy"):
        call_command("verify_audit", "--dossier", "nope", stdout=io.StringIO())


def test_every_stage_is_derivable_from_its_events(world: World) -> None:
    """Each transition records where it leaves the row: no stage reads as edited or underivable."""
    with time_machine.travel(MONDAY_0900, tick=False):
        for stage in ALL_STAGES:
            dossier_at(world, stage)
    code, output = verify()
    assert code == 0, output
    assert "không suy ra được" not in output


@pytest.mark.parametrize(
    ("column", "value", "reported"),
    [
        ("applicant_name", "Nguyễn Văn Giả", "thông tin người nộp"),
        ("applicant_id_number", "001099999999", "thông tin người nộp"),
        ("due_at", None, "hạn trả kết quả"),
        ("state", "returned", "trạng thái «returned»"),
        ("current_step_id", None, "bước đang xử lý"),
    ],
)
def test_edited_dossier_row_is_reported(dossier: Dossier, column: str, value: object, reported: str) -> None:
    """No trigger on the dossier table (the engine updates it): an edit there shows against the events."""
    Dossier.objects.filter(pk=dossier.pk).update(**{column: value})
    code, output = verify()
    assert code == 1
    assert f"{dossier.code}: {reported}" in output
    assert "không khớp với nhật ký" in output


def test_due_time_moved_a_day_is_reported(dossier: Dossier) -> None:
    assert dossier.due_at is not None
    Dossier.objects.filter(pk=dossier.pk).update(due_at=dossier.due_at + timedelta(days=1))
    assert "hạn trả kết quả trên hồ sơ không khớp" in verify()[1]


def test_events_recorded_before_the_row_snapshot_are_not_derivable(dossier: Dossier) -> None:
    """History recorded before this check existed: said so, not reported as an edit."""

    def drop_new_keys(event: DossierEvent) -> None:
        event.data = {k: v for k, v in event.data.items() if k not in ("row", "applicant_sha256")}

    chain_rewrite(dossier, drop_new_keys)
    code, output = verify()
    assert code == 0, output
    assert "1 hồ sơ có sự kiện ghi trước khi nhật ký lưu trạng thái hồ sơ" in output

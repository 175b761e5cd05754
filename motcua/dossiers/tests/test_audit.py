"""Hash-chained audit log and ``motcua verify-audit``: edits and deletions are reported, exit code 1."""

from __future__ import annotations

import io
import itertools

import pytest
import time_machine
from django.core.management import CommandError, call_command

from motcua.dossiers.audit import chain_verify, event_hash
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.tests.factories import MONDAY_0900, World, dossier_at


@pytest.fixture
def dossier(world: World) -> Dossier:
    with time_machine.travel(MONDAY_0900, tick=False):
        return dossier_at(world, "approval")


def _verify(*args: str) -> tuple[int, str]:
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
    assert _verify() == (0, "Đã kiểm tra 1 hồ sơ: nhật ký toàn vẹn.\n")


def test_edited_reason_is_reported(dossier: Dossier) -> None:
    DossierEvent.objects.filter(dossier=dossier, seq=2).update(reason="sửa lén")
    code, output = _verify()
    assert code == 1
    assert f"{dossier.code}: sự kiện số 2 (forward) đã bị sửa nội dung." in output


def test_edited_data_is_reported(dossier: Dossier) -> None:
    DossierEvent.objects.filter(dossier=dossier, seq=1).update(data={"due_at": "2099-01-01"})
    code, output = _verify("--dossier", dossier.code)
    assert code == 1
    assert "sự kiện số 1" in output


def test_deleted_last_event_is_reported(dossier: Dossier) -> None:
    DossierEvent.objects.filter(dossier=dossier, seq=3).delete()
    code, output = _verify()
    assert code == 1
    assert "ghi nhận 3 sự kiện nhưng nhật ký còn 2" in output


def test_deleted_middle_event_is_reported(dossier: Dossier) -> None:
    DossierEvent.objects.filter(dossier=dossier, seq=2).delete()
    code, output = _verify()
    assert code == 1
    assert "thiếu sự kiện số 2" in output
    assert "không nối" in output


def test_only_the_named_dossier_is_checked(world: World, dossier: Dossier) -> None:
    with time_machine.travel(MONDAY_0900, tick=False):
        clean = dossier_at(world, "received")
    DossierEvent.objects.filter(dossier=dossier, seq=2).update(reason="x")
    assert _verify("--dossier", clean.code)[0] == 0
    assert _verify("--dossier", dossier.code)[0] == 1
    with pytest.raises(CommandError, match="Không tìm thấy"):
        call_command("verify_audit", "--dossier", "nope", stdout=io.StringIO())

"""Sealed checkpoints of the audit log (``dossiers.sealing``): a history rewritten by someone who can
write the database — events edited, chain recomputed, head updated — no longer matches the seal; a
re-sealed one fails the HMAC without the key (docs/architecture.md §29)."""

from __future__ import annotations

import io
import os

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from motcua.dossiers import services
from motcua.dossiers.audit import chain_verify
from motcua.dossiers.models import AuditSeal, AuditSealLeaf, AuditSealNode, Dossier, DossierEvent
from motcua.dossiers.sealing import (
    EMPTY_ROOT,
    SEAL_JOB,
    SealStatus,
    audit_seal_create,
    dossier_seal_check,
    leaf_hash,
    merkle_levels,
    merkle_root,
    proof_positions,
    root_from_proof,
    seal_key,
    seal_mac,
)
from motcua.dossiers.tests.factories import MONDAY_0900, World, dossier_at
from motcua.dossiers.tests.tampering import as_dba, chain_rewrite
from motcua.dossiers.tests.test_audit import verify
from motcua.jobs.periodic import periodic_schedules


@pytest.fixture
def dossiers(world: World) -> list[Dossier]:
    with time_machine.travel(MONDAY_0900, tick=False):
        return [dossier_at(world, "approval"), dossier_at(world, "received"), dossier_at(world, "submitted")]


def _rename(event: DossierEvent) -> None:
    if event.seq == 2:
        event.reason = "sửa lén sau khi niêm phong"


@pytest.mark.parametrize("size", range(1, 12))
def test_every_leaf_proves_the_root(size: int) -> None:
    leaves = [leaf_hash(i, i + 1, f"{i:064x}") for i in range(size)]
    levels = merkle_levels(leaves)
    nodes = {(level, i): digest for level, row in enumerate(levels) for i, digest in enumerate(row)}
    root = merkle_root(leaves)
    for position, leaf in enumerate(leaves):
        wanted = {key: nodes[key] for key in proof_positions(position, size)}
        assert len(wanted) <= size.bit_length()
        assert root_from_proof(leaf, position, size, wanted) == root
        assert root_from_proof(leaf_hash(999, 1, "0" * 64), position, size, wanted) != root or size == 0
    assert merkle_root([]) == EMPTY_ROOT


def test_seal_covers_each_grown_chain_once(world: World, dossiers: list[Dossier]) -> None:
    first = audit_seal_create().seal
    assert (first.seq, first.dossier_count, first.event_count, first.prev_mac) == (1, 3, 3 + 1 + 1, "")
    leaves = list(AuditSealLeaf.objects.filter(seal=first).order_by("position"))
    assert [leaf.dossier_id for leaf in leaves] == sorted(d.pk for d in dossiers)
    assert AuditSealNode.objects.filter(seal=first).count() == 2  # 3 leaves: level 1 below the root
    # Nothing grew: an empty seal, chained to the first.
    empty = audit_seal_create().seal
    assert (empty.seq, empty.dossier_count, empty.root, empty.prev_mac) == (2, 0, EMPTY_ROOT, first.mac)
    received = dossiers[1]
    with time_machine.travel(MONDAY_0900, tick=False):
        services.dossier_forward(actor=world.lan, dossier=received, row_version=received.row_version)
    third = audit_seal_create().seal
    assert [(leaf.dossier_id, leaf.event_count) for leaf in AuditSealLeaf.objects.filter(seal=third)] == [
        (received.pk, 2)
    ]
    assert verify() == (0, "Đã kiểm tra 3 hồ sơ và 3 niêm phong: nhật ký toàn vẹn.\n")


def test_seal_tables_are_append_only(dossiers: list[Dossier]) -> None:
    seal = audit_seal_create().seal
    for queryset in (AuditSeal.objects.filter(pk=seal.pk), AuditSealLeaf.objects.filter(seal=seal)):
        with pytest.raises(DatabaseError), transaction.atomic():
            queryset.update(event_count=1)
        if connection.vendor == "postgresql":
            with pytest.raises(DatabaseError), transaction.atomic():
                queryset.delete()


def test_rewritten_history_no_longer_matches_the_seal(dossiers: list[Dossier]) -> None:
    """The probe's attack: edit an event, recompute the unkeyed chain, update the head."""
    target = dossiers[0]
    audit_seal_create()
    chain_rewrite(target, _rename)
    target.refresh_from_db()
    events = list(DossierEvent.objects.filter(dossier=target).order_by("seq"))
    assert chain_verify(target, events) == []  # the chain alone is fooled
    code, output = verify()
    assert code == 1
    assert f"{target.code}: nhật ký đến sự kiện số 3 không khớp với niêm phong số 1" in output
    assert output.count("không khớp với niêm phong") == 1  # the other dossiers are intact
    # ... and the sealer refuses nothing (the chain verifies) but the new seal does not hide the old one.
    audit_seal_create()
    assert "không khớp với niêm phong số 1" in verify()[1]


def test_resealing_without_the_key_is_detected(dossiers: list[Dossier]) -> None:
    """The attacker also rewrites the sealed leaf and root: he cannot recompute the HMAC."""
    target = dossiers[0]
    seal = audit_seal_create().seal
    chain_rewrite(target, _rename)
    target.refresh_from_db()
    with as_dba():
        AuditSealLeaf.objects.filter(seal=seal, dossier=target).update(head_hash=target.last_event_hash)
        leaves = AuditSealLeaf.objects.filter(seal=seal).order_by("position")
        levels = merkle_levels([leaf_hash(x.dossier_id, x.event_count, x.head_hash) for x in leaves])
        for level in range(1, len(levels) - 1):
            for i, digest in enumerate(levels[level]):
                AuditSealNode.objects.filter(seal=seal, level=level, position=i).update(hash=digest)
        seal.root = levels[-1][0]
        seal.mac = seal_mac(b"a key that is not the province's key........", seal)
        seal.save()
    code, output = verify()
    assert code == 1
    assert "Niêm phong số 1: mã niêm phong (HMAC) sai" in output
    assert "không khớp với niêm phong" not in output  # the leaves were made to agree: only the MAC tells
    assert dossier_seal_check(code=target.code).status == SealStatus.MISMATCH


def test_another_key_cannot_vouch_for_the_seals(settings, dossiers: list[Dossier]) -> None:
    audit_seal_create()
    settings.MOTCUA_AUDIT_SEAL_KEY = "x" * 40
    code, output = verify()
    assert code == 1
    assert "được lập bằng khóa khác" in output


def test_deleted_seal_breaks_the_seal_chain(dossiers: list[Dossier]) -> None:
    audit_seal_create()
    middle = audit_seal_create().seal
    audit_seal_create()
    with as_dba():
        AuditSeal.objects.filter(pk=middle.pk).delete()
    output = verify()[1]
    assert "Niêm phong số 3: thiếu niêm phong số 2" in output
    assert "Niêm phong số 3 không nối với niêm phong trước" in output


def test_broken_chain_is_not_sealed(dossiers: list[Dossier]) -> None:
    target = dossiers[0]
    with as_dba():
        DossierEvent.objects.filter(dossier=target, seq=2).update(reason="x")
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("audit_seal", stdout=out)
    assert raised.value.returncode == 1
    assert f"Không niêm phong: {target.code}: sự kiện số 2" in out.getvalue()
    seal = AuditSeal.objects.get()
    assert seal.dossier_count == 2
    assert not AuditSealLeaf.objects.filter(dossier=target).exists()


def test_one_dossier_against_its_seal(world: World, dossiers: list[Dossier]) -> None:
    target = dossiers[1]
    assert dossier_seal_check(code=target.code).status == SealStatus.UNSEALED
    audit_seal_create()
    check = dossier_seal_check(code=target.code)
    assert (check.status, check.seal_seq, check.sealed_events, check.pending_events) == ("matched", 1, 1, 0)
    with time_machine.travel(MONDAY_0900, tick=False):
        services.dossier_forward(actor=world.lan, dossier=target, row_version=target.row_version)
    check = dossier_seal_check(code=target.code)
    assert (check.status, check.pending_events) == ("matched", 1)
    chain_rewrite(target, lambda event: setattr(event, "actor_name", "Người khác"))
    assert dossier_seal_check(code=target.code).status == SealStatus.MISMATCH


def test_daily_seal_is_a_periodic_job() -> None:
    assert SEAL_JOB in {schedule.name for schedule in periodic_schedules()}


def test_development_key_is_generated_once(settings, tmp_path) -> None:
    settings.MOTCUA_AUDIT_SEAL_KEY = ""
    settings.MOTCUA_AUDIT_SEAL_KEY_FILE = tmp_path / "keys" / "audit-seal.key"
    key = seal_key()
    assert len(key) == 64
    assert seal_key() == key
    assert oct(os.stat(settings.MOTCUA_AUDIT_SEAL_KEY_FILE).st_mode & 0o777) == "0o600"
    assert [p.name for p in (tmp_path / "keys").iterdir()] == ["audit-seal.key"]

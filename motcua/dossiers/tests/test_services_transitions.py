"""Every transition: allowed for the right actor, refused for the wrong state, role and unit — unchanged."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine

from motcua.dossiers import selectors, services
from motcua.dossiers.models import Dossier, DossierEvent, DossierStep, DvcqgStatus
from motcua.dossiers.tests.factories import MONDAY_0900, World, dossier_at, vn
from motcua.jobs.models import Job

Call = Callable[[World, Dossier, Any], Dossier]


@dataclass(frozen=True)
class Case:
    action: str
    stage: str  # where it is allowed
    actor: str
    call: Call
    wrong_role: str  # sees the dossier but lacks the role
    wrong_stage: str  # where it is not allowed…
    wrong_stage_actor: str  # …for someone who may see the dossier there
    status_after: int | None = None


def _rv(d: Dossier) -> dict[str, Any]:
    return {"dossier": d, "row_version": d.row_version}


CASES = [
    Case(
        "accept",
        "submitted",
        "lan",
        lambda w, d, a: services.dossier_accept(actor=a, **_rv(d)),
        "minh",
        "received",
        "lan",
        DvcqgStatus.ACCEPTED,
    ),
    Case(
        "refuse",
        "submitted",
        "lan",
        lambda w, d, a: services.dossier_refuse(actor=a, reason="Sai thẩm quyền", **_rv(d)),
        "minh",
        "received",
        "lan",
        DvcqgStatus.REFUSED,
    ),
    Case(
        "claim",
        "pool",
        "tam",
        lambda w, d, a: services.dossier_claim(actor=a, **_rv(d)),
        "hoa",
        "appraisal",
        "tam",
    ),
    Case(
        "reassign",
        "appraisal",
        "hung",
        lambda w, d, a: services.dossier_reassign(actor=a, assignee=w.tam, reason="Minh nghỉ phép", **_rv(d)),
        "minh",
        "submitted",
        "hung",
    ),
    Case(
        "forward",
        "received",
        "lan",
        lambda w, d, a: services.dossier_forward(actor=a, assignee=w.minh, **_rv(d)),
        "minh",
        "supplement",
        "minh",
        DvcqgStatus.IN_PROGRESS,
    ),
    Case(
        "send_back",
        "approval",
        "hung",
        lambda w, d, a: services.dossier_send_back(actor=a, reason="Thẩm định lại", **_rv(d)),
        "minh",
        "received",
        "lan",
        DvcqgStatus.IN_PROGRESS,
    ),
    Case(
        "transfer",
        "appraisal",
        "minh",
        lambda w, d, a: services.dossier_transfer(
            actor=a, to_unit=w.department, reason="Xin ý kiến", **_rv(d)
        ),
        "hoa",
        "approval",
        "hung",
        DvcqgStatus.IN_PROGRESS,
    ),
    Case(
        "transfer_back",
        "transferred",
        "mai",
        lambda w, d, a: services.dossier_transfer_back(actor=a, note="Đồng ý", **_rv(d)),
        "cuong",
        "appraisal",
        "minh",
        DvcqgStatus.IN_PROGRESS,
    ),
    Case(
        "request_supplement",
        "appraisal",
        "minh",
        lambda w, d, a: services.dossier_request_supplement(
            actor=a, items=["Giấy khai sinh"], reason="Thiếu", **_rv(d)
        ),
        "hoa",
        "approval",
        "hung",
        DvcqgStatus.SUPPLEMENT,
    ),
    Case(
        "receive_supplement",
        "supplement",
        "lan",
        lambda w, d, a: services.dossier_receive_supplement(actor=a, **_rv(d)),
        "hoa",
        "appraisal",
        "lan",
        DvcqgStatus.IN_PROGRESS,
    ),
    Case(
        "request_payment",
        "appraisal",
        "minh",
        lambda w, d, a: services.dossier_request_payment(
            actor=a, fees=[services.FeeData("Thuế", 100_000)], **_rv(d)
        ),
        "hoa",
        "signing",
        "hoa",
        DvcqgStatus.FINANCIAL,
    ),
    Case(
        "record_payment",
        "payment",
        "lan",
        lambda w, d, a: services.dossier_record_payment(actor=a, reference="BL01", **_rv(d)),
        "hoa",
        "appraisal",
        "lan",
        DvcqgStatus.IN_PROGRESS,
    ),
    Case(
        "approve",
        "approval",
        "hung",
        lambda w, d, a: services.dossier_approve(actor=a, **_rv(d)),
        "minh",
        "appraisal",
        "hung",
        DvcqgStatus.IN_PROGRESS,
    ),
    Case(
        "reject",
        "approval",
        "hung",
        lambda w, d, a: services.dossier_reject(actor=a, reason="Không đủ điều kiện", **_rv(d)),
        "minh",
        "appraisal",
        "hung",
        DvcqgStatus.IN_PROGRESS,
    ),
    Case(
        "record_signature",
        "signing",
        "hoa",
        lambda w, d, a: services.dossier_record_signature(
            actor=a, signer=w.hung, signature_reference="QĐ 1/2026", row_version=d.row_version, dossier=d
        ),
        "minh",
        "approval",
        "hoa",
        DvcqgStatus.IN_PROGRESS,
    ),
    Case(
        "mark_result_ready",
        "signed",
        "hoa",
        lambda w, d, a: services.dossier_mark_result_ready(actor=a, **_rv(d)),
        "minh",
        "signing",
        "hoa",
        DvcqgStatus.DONE,
    ),
    Case(
        "return_result",
        "result_ready",
        "lan",
        lambda w, d, a: services.dossier_return_result(actor=a, **_rv(d)),
        "minh",
        "signed",
        "lan",
        DvcqgStatus.RETURNED,
    ),
    Case(
        "withdraw",
        "appraisal",
        "an",
        lambda w, d, a: services.dossier_withdraw(actor=a, reason="Không còn nhu cầu", **_rv(d)),
        "minh",
        "result_ready",
        "lan",
        DvcqgStatus.WITHDRAWN,
    ),
    Case(
        "stop",
        "appraisal",
        "hung",
        lambda w, d, a: services.dossier_stop(actor=a, reason="Có tranh chấp", **_rv(d)),
        "minh",
        "result_ready",
        "hung",
        DvcqgStatus.STOPPED,
    ),
    Case(
        "extend",
        "received",
        "lan",
        lambda w, d, a: services.dossier_extend(
            actor=a, new_due_at=vn(2026, 3, 6, 17), reason="Cần xác minh", **_rv(d)
        ),
        "hoa",
        "result_ready",
        "hung",
    ),
]
IDS = [case.action for case in CASES]


def _snapshot(d: Dossier) -> tuple[Any, ...]:
    fresh = Dossier.objects.get(pk=d.pk)
    return (
        fresh.state,
        fresh.status,
        fresh.row_version,
        fresh.event_count,
        fresh.due_at,
        fresh.current_unit_id,
        fresh.current_assignee_id,
        DossierEvent.objects.filter(dossier=d).count(),
        DossierStep.objects.filter(dossier=d).count(),
        Job.objects.count(),
    )


@contextmanager
def unchanged(d: Dossier) -> Iterator[None]:
    before = _snapshot(d)
    yield
    assert _snapshot(d) == before


@pytest.fixture
def monday(world: World) -> Iterator[None]:
    with time_machine.travel(MONDAY_0900, tick=False):
        yield


@pytest.mark.usefixtures("monday")
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_allowed_for_the_right_actor(world: World, case: Case) -> None:
    d = dossier_at(world, case.stage)
    actor = world.users[case.actor]
    assert case.action in selectors.dossier_allowed_actions(user=actor, dossier=d)
    events_before = d.event_count
    jobs_before = Job.objects.count()

    after = case.call(world, d, actor)

    fresh = Dossier.objects.get(pk=d.pk)
    assert fresh.row_version == d.row_version + 1
    assert fresh.event_count == events_before + 1
    assert DossierEvent.objects.get(dossier=d, seq=fresh.event_count).action == case.action
    # Internal hand-outs (claim, reassign) tell neither the applicant nor DVCQG: no jobs.
    assert Job.objects.count() > jobs_before or case.action in ("claim", "reassign")
    if case.status_after is not None:
        assert fresh.status == case.status_after
    assert after.pk == d.pk


@pytest.mark.usefixtures("monday")
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_refused_in_the_wrong_state(world: World, case: Case) -> None:
    d = dossier_at(world, case.wrong_stage)
    actor = world.users[case.wrong_stage_actor]
    assert case.action not in selectors.dossier_allowed_actions(user=actor, dossier=d)
    with unchanged(d), pytest.raises(services.DossierActionNotAllowed) as exc:
        case.call(world, d, actor)
    assert exc.value.message  # a Vietnamese sentence for the UI


@pytest.mark.usefixtures("monday")
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_refused_for_the_wrong_role(world: World, case: Case) -> None:
    d = dossier_at(world, case.stage)
    actor = world.users[case.wrong_role]
    assert case.action not in selectors.dossier_allowed_actions(user=actor, dossier=d)
    with unchanged(d), pytest.raises(services.DossierPermissionDenied):
        case.call(world, d, actor)


@pytest.mark.usefixtures("monday")
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_refused_for_an_official_of_another_commune(world: World, case: Case) -> None:
    # Bình holds every processing role — in Bãi Cháy. In Hạ Long he can do nothing.
    d = dossier_at(world, case.stage)
    assert selectors.dossier_allowed_actions(user=world.binh, dossier=d) == []
    with unchanged(d), pytest.raises(services.DossierPermissionDenied) as exc:
        case.call(world, d, world.binh)
    assert "không thuộc đơn vị" in exc.value.message


@pytest.mark.usefixtures("monday")
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_stale_row_version_is_a_conflict(world: World, case: Case) -> None:
    d = dossier_at(world, case.stage)
    stale = Dossier.objects.get(pk=d.pk)
    stale.row_version -= 1
    with unchanged(d), pytest.raises(services.DossierConflict) as exc:
        case.call(world, stale, world.users[case.actor])
    assert exc.value.message.startswith("Hồ sơ đã được người khác cập nhật")


@pytest.mark.usefixtures("monday")
def test_receive_at_counter_requires_reception_in_that_centre(world: World) -> None:
    before = Dossier.objects.count(), Job.objects.count()
    for outsider in (world.binh, world.minh, world.an):
        with pytest.raises(services.DossierPermissionDenied):
            services.dossier_receive(
                actor=outsider,
                receiving_unit=world.centre_a,
                procedure=world.procedure,
                applicant=services.ApplicantData(name="Nguyễn Văn An"),
            )
    assert (Dossier.objects.count(), Job.objects.count()) == before


# --- reassign: phân công lại ---------------------------------------------------------------------


@pytest.mark.usefixtures("monday")
def test_reassign_moves_the_step_and_the_right_to_act(world: World) -> None:
    d = dossier_at(world, "appraisal")
    assert d.current_step is not None
    assert d.current_step.assignee_id == world.minh.pk
    services.dossier_reassign(
        actor=world.hung, dossier=d, row_version=d.row_version, assignee=world.tam, reason="Minh nghỉ ốm"
    )
    fresh = Dossier.objects.get(pk=d.pk)
    assert fresh.current_assignee_id == world.tam.pk
    assert DossierStep.objects.get(pk=d.current_step.pk).assignee_id == world.tam.pk
    event = DossierEvent.objects.get(dossier=d, seq=fresh.event_count)
    assert (event.action, event.reason) == ("reassign", "Minh nghỉ ốm")
    assert event.data == {
        "step": d.current_step.seq,
        "from": "Trần Văn Minh",
        "to": "Lê Thị Tâm",
        "row": {"unit": d.current_unit_id, "step": d.current_step_id, "due_at": event.data["row"]["due_at"]},
    }
    assert "forward" not in selectors.dossier_allowed_actions(user=world.minh, dossier=fresh)
    assert "forward" in selectors.dossier_allowed_actions(user=world.tam, dossier=fresh)


@pytest.mark.usefixtures("monday")
@pytest.mark.parametrize(
    ("assignee", "reason", "field"),
    [
        ("hoa", "Phân công lại", "assignee"),  # a clerk cannot appraise
        ("minh", "Phân công lại", "assignee"),  # already holds it
        ("mai", "Phân công lại", "assignee"),  # a specialist of another unit
        (None, "Phân công lại", "assignee"),
        ("tam", "   ", "reason"),
    ],
)
def test_reassign_refuses_bad_input(world: World, assignee: str | None, reason: str, field: str) -> None:
    d = dossier_at(world, "appraisal")
    with unchanged(d), pytest.raises(services.DossierInvalid) as exc:
        services.dossier_reassign(
            actor=world.hung,
            dossier=d,
            row_version=d.row_version,
            assignee=world.users[assignee] if assignee else None,
            reason=reason,
        )
    assert field in exc.value.errors


@pytest.mark.usefixtures("monday")
def test_reassign_while_the_clock_is_stopped(world: World) -> None:
    """Waiting for a supplement: the step still has a holder, who may go on leave meanwhile."""
    d = dossier_at(world, "supplement")
    assert d.current_step is not None
    assert d.current_step.assignee_id == world.minh.pk
    assert "reassign" in selectors.dossier_allowed_actions(user=world.hung, dossier=d)
    services.dossier_reassign(
        actor=world.hung, dossier=d, row_version=d.row_version, assignee=world.tam, reason="Nghỉ phép"
    )
    fresh = Dossier.objects.get(pk=d.pk)
    assert fresh.state == "supplement_requested"  # the clock stays stopped
    assert fresh.current_assignee_id == world.tam.pk

"""Queues, scoped reads, timeline, allowed actions, public tracking and unit counts."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.dossiers import selectors, services
from motcua.dossiers.models import DossierState
from motcua.dossiers.tests.factories import (
    MONDAY_0900,
    World,
    dossier_advance,
    dossier_at,
    dossier_receive_at_counter,
    vn,
)

pytestmark = pytest.mark.usefixtures("_monday")


@pytest.fixture
def _monday():
    with time_machine.travel(MONDAY_0900, tick=False):
        yield


def test_queue_mine_and_unit_sorted_by_due_time(world: World) -> None:
    with time_machine.travel(vn(2026, 3, 2, 8), tick=False):
        early = dossier_advance(world, dossier_receive_at_counter(world), to="appraisal")
    late = dossier_advance(world, dossier_receive_at_counter(world), to="appraisal")
    pooled = dossier_at(world, "pool")
    mine = selectors.dossier_queue(user=world.minh, scope="mine")
    assert [i.dossier.pk for i in mine.items] == [early.pk, late.pk]
    assert mine.total == 2
    unit = selectors.dossier_queue(user=world.tam, scope="unit")
    assert {i.dossier.pk for i in unit.items} == {early.pk, late.pk, pooled.pk}
    assert selectors.dossier_queue(user=world.tam, scope="mine").total == 0
    assert selectors.dossier_queue(user=world.binh, scope="unit").total == 0  # another commune
    # Reception sees what sits at the centre only.
    assert selectors.dossier_queue(user=world.lan, scope="unit").total == 0


def test_queue_filters(world: World) -> None:
    a = dossier_at(world, "appraisal")
    s = dossier_at(world, "supplement")
    q = selectors.dossier_queue
    assert [i.dossier.pk for i in q(user=world.minh, scope="mine", status=5).items] == [s.pk]
    assert [i.dossier.pk for i in q(user=world.minh, scope="mine", state=DossierState.PROCESSING).items] == [
        a.pk
    ]
    assert q(user=world.minh, scope="mine", procedure=world.province_procedure).total == 0
    assert q(user=world.minh, scope="mine", channel="online").total == 0
    assert q(user=world.minh, scope="mine", field=999999).total == 0
    with time_machine.travel(vn(2026, 3, 4, 10), tick=False):
        assert [i.dossier.pk for i in q(user=world.minh, scope="mine", due_soon=True).items] == [a.pk]
        assert q(user=world.minh, scope="mine", overdue=True).total == 0
    with time_machine.travel(vn(2026, 3, 6, 10), tick=False):
        page = q(user=world.minh, scope="mine", overdue=True)
        assert [i.dossier.pk for i in page.items] == [a.pk]
        assert page.items[0].overdue


def test_queue_query_count_is_constant(world: World) -> None:
    for _ in range(2):
        dossier_at(world, "appraisal")
    selectors.dossier_queue(user=world.minh, scope="unit")  # warm caches (calendar)

    def count() -> int:
        user = type(world.minh).objects.get(pk=world.minh.pk)  # no cached role scope
        with CaptureQueriesContext(connection) as ctx:
            page = selectors.dossier_queue(user=user, scope="unit", page_size=50)
            shown = [
                (
                    item.dossier.procedure.name,
                    item.dossier.current_unit.name,
                    item.dossier.current_step,
                    item.dossier.current_assignee and item.dossier.current_assignee.official.full_name,
                )
                for item in page.items
            ]
        assert len(shown) == page.total
        return len(ctx.captured_queries)

    few = count()
    for _ in range(3):
        dossier_at(world, "appraisal")
    # Grants (read once per user object: the back office has them from its access check), units,
    # count, page.
    assert count() == few <= 4


def test_queue_paginates(world: World) -> None:
    for _ in range(3):
        dossier_at(world, "appraisal")
    page = selectors.dossier_queue(user=world.minh, scope="mine", page=2, page_size=2)
    assert page.total == 3
    assert page.num_pages == 2
    assert len(page.items) == 1


def test_get_for_official_is_scoped(world: World) -> None:
    d = dossier_at(world, "appraisal")
    assert selectors.dossier_get_for_official(user=world.hoa, code=d.code) == d
    assert selectors.dossier_get_for_official(user=world.an, code=d.code) == d  # the applicant
    assert selectors.dossier_get_for_official(user=world.binh, code=d.code) is None
    assert selectors.dossier_get_for_official(user=world.khach, code=d.code) is None
    assert selectors.dossier_get_for_official(user=world.minh, code="nope") is None


def test_timeline_has_events_and_steps(world: World) -> None:
    d = dossier_at(world, "approval")
    timeline = selectors.dossier_timeline(dossier=d)
    assert [e.action for e in timeline.events] == ["receive", "forward", "forward"]
    assert [s.name for s in timeline.steps] == ["Tiếp nhận hồ sơ", "Thẩm định", "Phê duyệt"]


def test_allowed_actions_by_persona(world: World) -> None:
    d = dossier_at(world, "approval")
    allowed = selectors.dossier_allowed_actions
    assert allowed(user=world.hung, dossier=d) == [
        "reassign",  # to another leader of the commune (a vice-chairman)
        "send_back",
        "request_payment",
        "approve",
        "reject",
        "stop",
        "extend",
    ]
    assert allowed(user=world.minh, dossier=d) == []
    assert allowed(user=world.lan, dossier=d) == ["withdraw"]
    assert allowed(user=world.an, dossier=d) == ["withdraw"]
    assert allowed(user=world.binh, dossier=d) == []


def test_public_view_hides_personal_data_unless_verified(world: World) -> None:
    d = dossier_at(world, "supplement")
    view = selectors.dossier_public_view(code=d.code, verifier=None)
    assert view is not None
    assert view.status == 5
    assert view.status_label == "Yêu cầu bổ sung giấy tờ"
    assert view.current_unit_name == world.commune_a.name
    assert [s.unit_name for s in view.steps] == [world.centre_a.name, world.commune_a.name]
    assert not view.verified
    assert view.applicant_initials is None
    assert view.supplement_items is None
    text = repr(view)
    for secret in ("Nguyễn Văn An", "0912345678", "022090001234", "Trần Văn Minh", "Nguyễn Thị Lan"):
        assert secret not in text
    unverified = selectors.dossier_public_view(code=d.code, verifier="0000")
    assert unverified is not None
    assert unverified.verified is False
    for verifier in ("5678", "1234"):  # phone or ID number
        verified = selectors.dossier_public_view(code=d.code, verifier=verifier)
        assert verified is not None
        assert verified.verified
        assert verified.applicant_initials == "N. V. A."
        assert verified.supplement_items == [{"name": "Bản sao giấy khai sinh", "note": "Bản chụp bị mờ"}]
    assert "Trần Văn Minh" not in repr(verified)
    assert selectors.dossier_public_view(code="nope") is None


def test_unit_counts(world: World) -> None:
    dossier_at(world, "appraisal")
    dossier_at(world, "supplement")
    dossier_at(world, "received")
    counts = selectors.unit_dossier_counts(unit=world.commune_a)
    assert counts["total"] == 2
    assert counts["processing"] == 1
    assert counts["supplement_requested"] == 1
    assert selectors.unit_dossier_counts(unit=world.centre_a)["accepted"] == 1
    with time_machine.travel(vn(2026, 3, 6, 10), tick=False):
        assert selectors.unit_dossier_counts(unit=world.commune_a)["overdue"] == 1


def test_route_rejects_wrong_level_choice(world: World) -> None:
    with pytest.raises(services.DossierInvalid, match="cấp tỉnh"):
        selectors.dossier_route_competent_unit(
            procedure=world.province_procedure, receiving_unit=world.centre_a, chosen_unit=world.commune_b
        )
    with pytest.raises(services.DossierInvalid, match="cấp xã"):
        selectors.dossier_route_competent_unit(
            procedure=world.procedure, receiving_unit=world.centre_a, chosen_unit=world.department
        )


# -- receipt reads from the reference-data cache ---------------------------------------------------


def test_receipt_procedure_is_cached_until_the_catalogue_changes(world: World, django_assert_num_queries):
    from motcua.catalog.models import ProcedureFee
    from motcua.dossiers.selectors import procedure_for_receipt

    first = procedure_for_receipt(code=world.procedure.code)
    with django_assert_num_queries(1):  # the stamp only
        assert procedure_for_receipt(code=world.procedure.code) is first
    fee = ProcedureFee.objects.filter(procedure=world.procedure).first()
    assert fee is not None
    fee.amount_vnd = 123_000
    fee.save()  # an admin edit: the signal restamps
    fresh = procedure_for_receipt(code=world.procedure.code)
    assert fresh is not first
    assert [f.amount_vnd for f in fresh.fees.all() if f.pk == fee.pk] == [123_000]


def test_receipt_unit_is_cached_until_the_unit_changes(world: World):
    from motcua.dossiers.selectors import unit_for_receipt

    code = world.centre_a.agency_code
    assert unit_for_receipt(agency_code=code) == world.centre_a
    world.centre_a.is_active = False
    world.centre_a.save()
    assert unit_for_receipt(agency_code=code) is None  # inactive units take no dossiers


def test_catalogue_bulk_writes_restamp(world: World):
    from motcua.catalog.services import process_definition_activate, process_definition_draft_create
    from motcua.core.selectors import reference_data_stamp

    before = reference_data_stamp()
    draft = process_definition_draft_create(procedure=world.procedure)
    process_definition_activate(definition=draft)
    assert reference_data_stamp() != before


# --------------------------------------------------------------------------------------------------
# Search and the pool (issue 8 point 11)
# --------------------------------------------------------------------------------------------------


def test_saving_a_dossier_folds_the_applicant_name(world: World) -> None:
    d = dossier_at(world, "received")
    assert d.applicant_search == "nguyen van an"
    d.applicant_name = "Đỗ Thị Ánh"
    d.save(update_fields=["applicant_name"])
    d.refresh_from_db()
    assert d.applicant_search == "do thi anh"


def test_migration_folds_the_names_of_existing_dossiers(world: World) -> None:
    import importlib
    from types import SimpleNamespace

    from django.apps import apps

    from motcua.dossiers.models import Dossier

    migration = importlib.import_module("motcua.dossiers.migrations.0006_dossier_search")
    d = dossier_at(world, "received")
    Dossier.objects.filter(pk=d.pk).update(applicant_search="")
    migration.fill_applicant_search(apps, SimpleNamespace(connection=connection))
    d.refresh_from_db()
    assert d.applicant_search == "nguyen van an"


def test_search_q_kinds(world: World) -> None:
    from motcua.dossiers.models import Dossier

    d = dossier_at(world, "returned")

    def found(query: str, **kwargs: object) -> bool:
        return Dossier.objects.filter(selectors.dossier_search_q(query, **kwargs), pk=d.pk).exists()  # type: ignore[arg-type]

    assert found(d.code)
    assert found(d.code.lower())
    assert found(d.code[:8])
    assert found("Nguyễn Văn An")
    assert found("nguyen  van   an")
    assert found("VĂN AN")
    assert found("022090001234")
    assert not found("02209000123")  # an ID number matches whole only
    assert not found("an")  # too short a name fragment
    assert not found("")
    # Limited to the units where the reader handles dossiers: only the code still matches elsewhere.
    assert not found("nguyen van an", personal_units=[world.commune_b.pk])
    assert found(d.code, personal_units=[])
    assert found("nguyen van an", personal_units=[world.commune_a.pk])


def test_pool_scope_is_the_claimable_work_of_my_roles(world: World) -> None:
    pooled = dossier_at(world, "pool")
    online = dossier_at(world, "submitted")
    dossier_at(world, "appraisal")  # assigned to Minh
    dossier_at(world, "supplement")  # waits for the citizen, not for an official

    def pool(user: object) -> set[str]:
        return {i.dossier.code for i in selectors.dossier_queue(user=user, scope="pool").items}  # type: ignore[arg-type]

    assert pool(world.tam) == {pooled.code}
    assert pool(world.lan) == {online.code}
    assert pool(world.hung) == set()
    assert pool(world.binh) == set()
    assert selectors.dossier_queue_counts(user=world.tam) == {"mine": 0, "pool": 1}
    assert selectors.dossier_queue_counts(user=world.minh) == {"mine": 2, "pool": 1}

"""Form builders: dossier → documents form dataclasses (no rendering), with bounded queries."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.documents import forms as f
from motcua.documents.tests import pdfcheck
from motcua.dossiers import form_builders as fb
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import (
    MONDAY_0900,
    World,
    dossier_at,
    dossier_receive_at_counter,
    procedure_with_process,
    vn,
)
from motcua.org.models import Role, RoleAssignment

TRACKING = "https://dichvucong.quangninh.gov.vn/tra-cuu/X"

pytestmark = pytest.mark.usefixtures("_monday")


@pytest.fixture
def _monday():
    with time_machine.travel(MONDAY_0900, tick=False):
        yield


def _fresh(d: Dossier) -> Dossier:
    return Dossier.objects.select_related(
        "procedure", "process", "receiving_unit__parent", "competent_unit__parent", "current_unit"
    ).get(pk=d.pk)


def test_receipt(world: World) -> None:
    d = _fresh(dossier_receive_at_counter(world))
    with CaptureQueriesContext(connection) as ctx:
        form = fb.receipt_form_build(dossier=d, tracking_url=TRACKING)
    assert len(ctx.captured_queries) == 3
    assert isinstance(form, f.ReceiptForm)
    assert form.dossier_code == d.code
    assert form.applicant_name == "Nguyễn Văn An"
    assert form.unit_name == world.centre_a.name
    assert form.parent_unit_name == world.commune_a.name
    assert form.statutory_time_text == "03 ngày làm việc"
    assert form.received_at == MONDAY_0900
    assert form.appointment_at == vn(2026, 3, 5, 9)
    assert form.receiver_name == "Nguyễn Thị Lan"
    assert (form.ledger_book, form.ledger_number) == ("2026", "1")  # the first entry of the year
    assert form.fee_text == "50.000 đồng"
    # The factory receipt is complete: the required form, its paper presented (issue 8 point 9).
    assert [c.name for c in form.components] == ["Đơn đề nghị (mẫu 01)"]
    assert form.tracking_url == TRACKING


def test_return_place_does_not_repeat_what_the_units_name_says(world: World) -> None:
    centre = world.centre_a
    centre.name = "Trung tâm Phục vụ hành chính công phường Hạ Long"
    centre.address = "Phường Hạ Long, tỉnh Quảng Ninh"
    centre.save(update_fields=["name", "address"])
    form = fb.receipt_form_build(dossier=_fresh(dossier_receive_at_counter(world)), tracking_url=TRACKING)
    assert form.return_place == "Trung tâm Phục vụ hành chính công phường Hạ Long, tỉnh Quảng Ninh"


def test_receipt_of_an_appointed_dossier_prints_the_officers_appointment_and_reason(world: World) -> None:
    """Issue 8 point 13: no published time — form 01 shows the appointment the officer set, and why."""
    d = dossier_receive_at_counter(
        world,
        procedure=procedure_with_process(timed=False),
        appointment_at=vn(2026, 3, 6, 16),
        appointment_reason="Theo quy định của Công an phường.",
    )
    form = fb.receipt_form_build(dossier=_fresh(d), tracking_url=TRACKING)
    assert form.appointment_at == vn(2026, 3, 6, 16)
    # The reason stands apart from where the date is expected (the date is item 5 of the form).
    assert form.statutory_time_text == (
        "Chưa công bố; ngày hẹn trả do cán bộ tiếp nhận ấn định (lý do: Theo quy định của Công an phường)"
    )


def test_receipt_lists_presented_components_with_their_kind(world: World) -> None:
    doc1, doc2 = world.procedure.documents.order_by("order")
    d = dossier_receive_at_counter(
        world,
        components=[
            services.ComponentData(document_id=doc1.pk, paper_presented=True),
            services.ComponentData(document_id=doc2.pk, paper_presented=True),
        ],
    )
    form = fb.receipt_form_build(dossier=_fresh(d), tracking_url=TRACKING)
    assert [(c.name, c.kind, c.quantity) for c in form.components] == [
        ("Đơn đề nghị (mẫu 01)", f.ORIGINAL, 1),
        ("Giấy tờ chứng minh (nếu có)", f.COPY, 1),
    ]


def test_receipt_needs_a_received_dossier(world: World) -> None:
    with pytest.raises(ValueError, match="chưa được tiếp nhận"):
        fb.receipt_form_build(dossier=dossier_at(world, "submitted"), tracking_url=TRACKING)


def test_supplement_request(world: World) -> None:
    assert fb.supplement_request_form_build(dossier=dossier_at(world, "appraisal")) is None
    form = fb.supplement_request_form_build(dossier=_fresh(dossier_at(world, "supplement")))
    assert form is not None
    assert [(i.content, i.reason) for i in form.items] == [("Bản sao giấy khai sinh", "Bản chụp bị mờ")]
    assert form.contact_name == "Trần Văn Minh"


def test_refusal(world: World) -> None:
    assert fb.refusal_form_build(dossier=dossier_at(world, "appraisal")) is None
    d = dossier_at(world, "submitted")
    d = services.dossier_refuse(actor=world.lan, dossier=d, row_version=d.row_version, reason="Thiếu đơn")
    form = fb.refusal_form_build(dossier=_fresh(d))
    assert form is not None
    assert (form.reason, form.signer_name, form.unit_name) == (
        "Thiếu đơn",
        "Nguyễn Thị Lan",
        world.centre_a.name,
    )
    d = dossier_at(world, "approval")
    d = services.dossier_reject(
        actor=world.hung, dossier=d, row_version=d.row_version, reason="Sai đối tượng"
    )
    form = fb.refusal_form_build(dossier=_fresh(d))
    assert form is not None
    assert (form.reason, form.signer_name, form.unit_name) == (
        "Sai đối tượng",
        "Vũ Văn Hùng",
        world.commune_a.name,
    )


def test_apology(world: World) -> None:
    d = dossier_at(world, "appraisal")
    assert fb.apology_form_build(dossier=d) is None
    d = services.dossier_extend(
        actor=world.minh,
        dossier=d,
        row_version=d.row_version,
        new_due_at=vn(2026, 3, 10, 10),
        reason="Xác minh",
    )
    form = fb.apology_form_build(dossier=_fresh(d))
    assert form is not None
    assert form.original_appointment_at == vn(2026, 3, 5, 9)
    assert form.new_appointment_at == vn(2026, 3, 10, 10)
    assert form.reason == "Xác minh"


def _extended_by_the_specialist(world: World) -> Dossier:
    """A dossier in appraisal whose deadline Minh (the specialist) extended: form 04 is due."""
    d = dossier_at(world, "appraisal")
    return services.dossier_extend(
        actor=world.minh,
        dossier=d,
        row_version=d.row_version,
        new_due_at=vn(2026, 3, 10, 10),
        reason="Xác minh",
    )


def test_apology_is_signed_by_the_competent_units_leader_not_the_specialist(world: World) -> None:
    d = _extended_by_the_specialist(world)
    form = fb.apology_form_build(dossier=_fresh(d))
    assert form is not None
    # Minh, the specialist who recorded the extension, is not the signer; Hùng leads the commune.
    assert (form.signer_title, form.signer_name) == (f"Lãnh đạo {world.commune_a.name}", "Vũ Văn Hùng")
    official = world.hung.official
    official.title = "Chủ tịch UBND phường"
    official.save()
    form = fb.apology_form_build(dossier=_fresh(d))
    assert form is not None
    assert (form.signer_title, form.signer_name) == ("Chủ tịch UBND phường", "Vũ Văn Hùng")
    assert "CHỦ TỊCH UBND PHƯỜNG (Ký, ghi rõ họ tên và đóng dấu) Vũ Văn Hùng" in " ".join(
        pdfcheck.page_texts(f.form_apology_render(form))
    )


def test_apology_without_a_leader_leaves_a_blank_leader_signature(world: World) -> None:
    RoleAssignment.objects.filter(unit=world.commune_a, role=Role.LEADER).update(is_active=False)
    d = _extended_by_the_specialist(world)
    form = fb.apology_form_build(dossier=_fresh(d))
    assert form is not None
    assert (form.signer_title, form.signer_name) == (f"Lãnh đạo {world.commune_a.name}", "")


def test_process_control_rows_per_hand_over_with_outcomes(world: World) -> None:
    d = _fresh(dossier_at(world, "returned"))
    with CaptureQueriesContext(connection) as ctx:
        form = fb.process_control_form_build(dossier=d)
    assert len(ctx.captured_queries) == 1
    assert form is not None
    rows = form.rows
    assert [r.step_name for r in rows] == [
        "Tiếp nhận hồ sơ",
        "Thẩm định",
        "Phê duyệt",
        "Ký số",
        "Trả kết quả",
    ]
    assert (rows[0].giver_unit, rows[0].giver_name, rows[0].receiver_name) == (
        "Người nộp hồ sơ",
        "Nguyễn Văn An",
        "Nguyễn Thị Lan",
    )
    assert (rows[1].giver_name, rows[1].receiver_name) == ("Nguyễn Thị Lan", "Trần Văn Minh")
    assert all(r.outcome == f.Outcome.EARLY or r.outcome == f.Outcome.ON_TIME for r in rows)
    assert form.handling_unit_name == world.commune_a.name


def test_ledger_rows_and_bounded_queries(world: World) -> None:
    dossier_at(world, "returned")
    dossier_at(world, "appraisal")
    with time_machine.travel(vn(2026, 4, 6, 9), tick=False):
        dossier_receive_at_counter(world)  # outside the period
    with CaptureQueriesContext(connection) as ctx:
        form = fb.ledger_form_build(unit=world.centre_a, start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert len(ctx.captured_queries) <= 5  # (parent unit,) entries before the period, dossiers, steps, events
    assert len(form.rows) == 2
    returned = form.rows[0]
    assert returned.returned_at is not None
    assert returned.transferred_at is not None
    assert returned.receipt_signature == ""  # returned at the counter: signed on paper
    with pytest.raises(ValueError, match="tối đa"):
        fb.ledger_form_build(unit=world.centre_a, start=date(2025, 1, 1), end=date(2026, 3, 31))
    with pytest.raises(ValueError, match="sau ngày bắt đầu"):
        fb.ledger_form_build(unit=world.centre_a, start=date(2026, 3, 2), end=date(2026, 3, 1))


def test_ledger_numbers_run_on_across_days_and_match_the_receipt(world: World) -> None:
    # Dossier codes restart their sequence every day; the ledger's số thứ tự must not.
    received = []
    for day in (2, 3):
        for hour in (9, 10):
            with time_machine.travel(vn(2026, 3, day, hour), tick=False):
                received.append(dossier_receive_at_counter(world))
    assert [d.code.rsplit("-", 1)[1] for d in received] == ["0001", "0002", "0001", "0002"]
    form = fb.ledger_form_build(unit=world.centre_a, start=date(2026, 3, 2), end=date(2026, 3, 3))
    assert [row.number for row in form.rows] == ["1", "2", "3", "4"]
    assert [row.dossier_code for row in form.rows] == [d.code for d in received]
    # A period starting later in the book goes on from the entries before it.
    later = fb.ledger_form_build(unit=world.centre_a, start=date(2026, 3, 3), end=date(2026, 3, 31))
    assert [row.number for row in later.rows] == ["3", "4"]
    pages = pdfcheck.page_texts(f.form_ledger_render(form))
    assert "Quyển số: 2026" in pages[0]
    # Form 01 prints the same entry number as the ledger line.
    receipts = [fb.receipt_form_build(dossier=_fresh(d), tracking_url=TRACKING) for d in received]
    assert [r.ledger_number for r in receipts] == ["1", "2", "3", "4"]
    # A new book (and count) starts on 1 January.
    with time_machine.travel(vn(2027, 1, 4, 9), tick=False):
        next_year = dossier_receive_at_counter(world)
    assert fb.receipt_form_build(dossier=_fresh(next_year), tracking_url=TRACKING).ledger_number == "1"


def test_stop_notice(world: World) -> None:
    d = dossier_at(world, "appraisal")
    assert fb.stop_notice_form_build(dossier=d) is None
    d = services.dossier_stop(actor=world.hung, dossier=d, row_version=d.row_version, reason="Có tranh chấp")
    form = fb.stop_notice_form_build(dossier=_fresh(d))
    assert form is not None
    assert (form.reason, form.signer_name) == ("Có tranh chấp", "Vũ Văn Hùng")


def test_times_are_whole_seconds_for_the_pdf_timestamp(world: World) -> None:
    from datetime import timedelta

    with time_machine.travel(MONDAY_0900 + timedelta(microseconds=123456), tick=False):
        d = dossier_receive_at_counter(world)
    form = fb.receipt_form_build(dossier=_fresh(d), tracking_url=TRACKING)
    assert form.received_at.microsecond == 0
    assert f.form_receipt_render(form).startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("copies", "paper", "expected"),
    [
        ("Bản chính: 1, Bản sao: 0", True, (f.ORIGINAL, 1)),
        ("Bản chính: 0, Bản sao: 2", True, (f.COPY, 2)),
        ("01 bản sao có chứng thực", True, (f.CERTIFIED_COPY, 1)),
        ("02 bản chính", True, (f.ORIGINAL, 2)),
        ("", True, (f.ORIGINAL, 1)),
    ],
)
def test_component_kind_from_catalogue_copies(copies: str, paper: bool, expected: tuple[str, int]) -> None:
    from motcua.dossiers.models import DossierComponent

    component = DossierComponent(name="x", copies=copies, paper_presented=paper)
    assert fb._component_kind_quantity(component) == expected

"""The fee due on a dossier (receipt): alternatives chosen by channel and case, snapshot, explanation."""

from __future__ import annotations

from typing import Any

import pytest

from motcua.catalog.fees import FeeStatus, fee_terms_derive
from motcua.catalog.models import Procedure, ProcedureFee
from motcua.dossiers import services
from motcua.dossiers.errors import DossierInvalid
from motcua.dossiers.models import Channel, Dossier
from motcua.dossiers.tests.factories import (
    World,
    dossier_advance,
    dossier_receive_at_counter,
    dossier_submit,
    procedure_with_process,
)

THUONG_TRU = [
    {"name": "Lệ phí đăng ký thường trú - nộp trực tiếp", "amount_vnd": 20000, "note": "có miễn phí"},
    {"name": "Lệ phí đăng ký thường trú - nộp trực tuyến", "amount_vnd": 10000, "note": "có miễn phí"},
]
PER_CASE = [
    {"name": "Lệ phí cấp giấy phép - trường hợp cấp mới", "amount_vnd": 100000, "note": ""},
    {"name": "Lệ phí cấp giấy phép - trường hợp gia hạn", "amount_vnd": 50000, "note": ""},
]


def with_schedule(lines: list[dict[str, Any]], **kwargs: Any) -> Procedure:
    """A receivable procedure whose fee schedule is ``lines`` with the terms the importer derives."""
    procedure = procedure_with_process(fee_vnd=None, **kwargs)
    for order, line in enumerate(fee_terms_derive(lines), start=1):
        ProcedureFee.objects.create(procedure=procedure, order=order, **line)
    return procedure


def required_ticked(procedure: Procedure) -> list[services.ComponentData]:
    return [
        services.ComponentData(document_id=doc.pk, paper_presented=True)
        for doc in procedure.documents.filter(required=True)
    ]


def receive(world: World, procedure: Procedure, **kwargs: Any) -> Dossier:
    return dossier_receive_at_counter(
        world, procedure=procedure, components=required_ticked(procedure), **kwargs
    )


def test_counter_receipt_owes_the_counter_rate_not_the_sum(world: World) -> None:
    """Issue 8 point 10: 20.000 (counter) + 10.000 (online) was shown as "Tổng: 30.000 đồng"."""
    d = receive(world, with_schedule(THUONG_TRU))
    assert d.fees_total == 20_000
    assert (d.fee_status, d.fee_summary) == (FeeStatus.DUE, "Phải nộp: 20.000 đồng")
    assert not d.fees_paid
    fee = d.fees.get()
    assert (fee.name, fee.amount_vnd) == ("Lệ phí đăng ký thường trú - nộp trực tiếp", 20_000)
    assert "mức nộp trực tiếp" in fee.explanation
    assert "Không tính Lệ phí đăng ký thường trú - nộp trực tuyến" in d.fee_explanation
    d.refresh_from_db()
    assert d.fees_total == 20_000


def test_online_submission_owes_the_online_rate(world: World) -> None:
    d = dossier_submit(world, procedure=with_schedule(THUONG_TRU))
    d.refresh_from_db()
    assert (d.fees_total, d.fee_status) == (10_000, FeeStatus.DUE)
    assert [f.amount_vnd for f in d.fees.all()] == [10_000]
    assert "mức nộp trực tuyến" in d.fee_explanation


def test_a_later_schedule_edit_does_not_change_a_received_dossier(world: World) -> None:
    procedure = with_schedule(THUONG_TRU)
    d = receive(world, procedure)
    explanation = d.fee_explanation
    ProcedureFee.objects.filter(procedure=procedure).update(amount_vnd=99_000)
    d.refresh_from_db()
    assert (d.fees_total, d.fee_explanation) == (20_000, explanation)
    assert d.fees.get().amount_vnd == 20_000


def test_the_officer_chooses_the_case(world: World) -> None:
    procedure = with_schedule(PER_CASE)
    d = receive(world, procedure, fee_case="trường hợp gia hạn")
    assert (d.fees_total, d.fee_case) == (50_000, "trường hợp gia hạn")
    default = receive(world, procedure)
    assert (default.fees_total, default.fee_case) == (100_000, "trường hợp cấp mới")


def test_an_unknown_case_is_refused_and_nothing_is_created(world: World) -> None:
    procedure = with_schedule(PER_CASE)
    before = Dossier.objects.count()
    with pytest.raises(DossierInvalid) as caught:
        receive(world, procedure, fee_case="trường hợp không có")
    assert "fee_case" in caught.value.errors
    assert Dossier.objects.count() == before


def test_an_unpublished_amount_is_not_free_nor_zero(world: World) -> None:
    d = receive(world, with_schedule([{"name": "Lệ phí cấp giấy", "amount_vnd": None, "note": ""}]))
    assert (d.fees_total, d.fee_status, d.fees_paid) == (0, FeeStatus.UNPUBLISHED, False)
    assert d.fee_summary == "Chưa công bố mức thu"
    assert "0 đồng" not in d.fee_summary + d.fee_explanation
    no_schedule = receive(world, procedure_with_process(fee_vnd=None))
    assert no_schedule.fee_status == FeeStatus.UNPUBLISHED


def test_a_free_procedure_is_paid_from_the_start(world: World) -> None:
    d = receive(world, with_schedule([{"name": "Lệ phí đăng ký khai tử", "amount_vnd": 0, "note": ""}]))
    assert (d.fee_status, d.fee_summary, d.fees_paid) == (FeeStatus.FREE, "Miễn phí", True)


def test_a_procedure_of_another_province_is_not_received(world: World) -> None:
    procedure = procedure_with_process(name="Cấp giấy phép trên địa bàn tỉnh Thanh Hóa")
    Procedure.objects.filter(pk=procedure.pk).update(applies_here=False)
    procedure.refresh_from_db()
    with pytest.raises(DossierInvalid) as caught:
        receive(world, procedure)
    assert "không áp dụng tại Quảng Ninh" in caught.value.errors["procedure"]
    with pytest.raises(DossierInvalid):
        dossier_submit(world, procedure=procedure, key="elsewhere")


def test_the_fee_due_is_previewed_for_the_intake_page(world: World) -> None:
    procedure = with_schedule(THUONG_TRU)
    due = services.dossier_fee_due(procedure=procedure, channel=Channel.POSTAL)
    assert due.total_vnd == 20_000  # the post pays the rate of a dossier handed in


def test_a_financial_obligation_makes_an_unpublished_fee_known(world: World) -> None:
    d = receive(world, with_schedule([{"name": "Lệ phí cấp giấy", "amount_vnd": None, "note": ""}]))
    d = dossier_advance(world, d, to="appraisal")
    d = services.dossier_request_payment(
        actor=world.minh,
        dossier=d,
        row_version=d.row_version,
        fees=[services.FeeData("Lệ phí cấp giấy", 30_000)],
    )
    d.refresh_from_db()
    assert (d.fees_total, d.fee_status, d.fee_summary) == (30_000, FeeStatus.DUE, "Phải nộp: 30.000 đồng")
    assert d.fee_explanation.endswith("Nghĩa vụ tài chính bổ sung: Lệ phí cấp giấy: 30.000 đồng.")
    assert d.fee_explanation.startswith("Chưa công bố mức thu")  # what the receipt said is kept

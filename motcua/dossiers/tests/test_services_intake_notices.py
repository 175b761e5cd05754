"""Intake notices — form 02 / 03 given at the counter instead of a receipt (issue 8 point 9)."""

from __future__ import annotations

import pytest
import time_machine

from motcua.documents import forms as f
from motcua.dossiers import form_builders, services
from motcua.dossiers.models import Dossier, DossierCodeCounter, IntakeNotice, IntakeNoticeKind
from motcua.dossiers.tests.factories import APPLICANT, MONDAY_0900, World

pytestmark = pytest.mark.usefixtures("_monday")


@pytest.fixture
def _monday():
    with time_machine.travel(MONDAY_0900, tick=False):
        yield


def _issue(world: World, **kwargs) -> IntakeNotice:
    kwargs.setdefault("actor", world.lan)
    kwargs.setdefault("receiving_unit", world.centre_a)
    kwargs.setdefault("procedure", world.procedure)
    kwargs.setdefault("applicant", APPLICANT)
    return services.intake_notice_issue(**kwargs)


def test_guidance_lists_the_missing_required_documents_and_receives_nothing(world: World) -> None:
    optional = world.procedure.documents.get(order=2)
    brought = [services.ComponentData(document_id=optional.pk, paper_presented=True)]
    items = services.intake_missing_items(world.procedure, brought)
    assert [item.name for item in items] == ["Đơn đề nghị (mẫu 01)"]
    notice = _issue(
        world,
        kind=IntakeNoticeKind.SUPPLEMENT,
        items=[*items, services.RequestedItem("Ảnh 4x6 chụp trong 6 tháng")],
        reason="Mang theo bản chính khi nộp lại.",
    )
    notice.refresh_from_db()
    assert notice.items == [
        {"name": "Đơn đề nghị (mẫu 01)", "note": "Thành phần hồ sơ bắt buộc chưa nộp."},
        {"name": "Ảnh 4x6 chụp trong 6 tháng", "note": ""},
    ]
    assert (notice.actor, notice.unit, notice.applicant_name) == (world.lan, world.centre_a, "Nguyễn Văn An")
    assert notice.issued_at == MONDAY_0900
    assert not Dossier.objects.exists()
    assert not DossierCodeCounter.objects.exists()


def test_guidance_needs_an_item_and_refusal_a_reason(world: World) -> None:
    with pytest.raises(services.DossierInvalid) as exc:
        _issue(world, kind=IntakeNoticeKind.SUPPLEMENT, items=[services.RequestedItem("  ")])
    assert set(exc.value.errors) == {"items"}
    with pytest.raises(services.DossierInvalid) as exc:
        _issue(world, kind=IntakeNoticeKind.REFUSAL, reason=" ")
    assert exc.value.errors == {"reason": "Vui lòng nhập lý do từ chối tiếp nhận."}
    assert not IntakeNotice.objects.exists()


def test_only_reception_officers_of_the_unit_issue_notices(world: World) -> None:
    for actor, unit in (
        (world.minh, world.centre_a),
        (world.binh, world.centre_a),
        (world.lan, world.centre_b),
    ):
        with pytest.raises(services.DossierPermissionDenied):
            _issue(world, actor=actor, receiving_unit=unit, kind=IntakeNoticeKind.REFUSAL, reason="Không")
    assert not IntakeNotice.objects.exists()


def test_notice_forms_have_no_dossier_code_and_say_nothing_was_received(world: World) -> None:
    guidance = _issue(
        world,
        kind=IntakeNoticeKind.SUPPLEMENT,
        items=services.intake_missing_items(world.procedure, []),
    )
    form = form_builders.intake_notice_form_build(notice=guidance)
    assert isinstance(form, f.SupplementRequestForm)
    assert form.dossier_code == ""
    assert [item.content for item in form.items] == ["Đơn đề nghị (mẫu 01)"]
    assert form.deadline_note == f.INTAKE_SUPPLEMENT_DEADLINE_NOTE
    assert form.signer_name == "Nguyễn Thị Lan"
    assert f.form_supplement_request_render(form).startswith(b"%PDF")

    refusal = _issue(world, kind=IntakeNoticeKind.REFUSAL, reason="Thủ tục không thuộc thẩm quyền.")
    form03 = form_builders.intake_notice_form_build(notice=refusal)
    assert isinstance(form03, f.RefusalForm)
    assert (form03.dossier_code, form03.reason) == ("", "Thủ tục không thuộc thẩm quyền.")
    assert f.form_refusal_render(form03).startswith(b"%PDF")

"""Dossier page: what it shows, exactly the allowed actions, and every action view.

Each action: happy path (state changes, redirect, success message), conflict (stale row_version →
409, "Hồ sơ đã được người khác cập nhật…", nothing written) and refused (an official of the unit
without the step's role → 403 with the engine's Vietnamese message, nothing written).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from motcua.backoffice.tests.conftest import client_for
from motcua.core.tests import upload_files
from motcua.dossiers import selectors
from motcua.dossiers.models import Decision, Dossier, DossierState
from motcua.dossiers.tests.factories import World, dossier_at

pytestmark = pytest.mark.django_db

ACTION_URL = re.compile(r"/xu-ly/([a-z_]+)/")


def detail_url(d: Dossier) -> str:
    return reverse("backoffice:dossier_detail", args=[d.code])


def action_url(d: Dossier, action: str) -> str:
    return reverse("backoffice:dossier_action", args=[d.code, action])


@pytest.mark.parametrize(
    ("stage", "persona"),
    [
        ("submitted", "lan"),
        ("received", "lan"),
        ("received", "minh"),
        ("pool", "tam"),
        ("appraisal", "minh"),
        ("appraisal", "tam"),
        ("appraisal", "hung"),
        ("approval", "hung"),
        ("approval", "minh"),
        ("signing", "hoa"),
        ("signed", "hoa"),
        ("result_ready", "lan"),
        ("supplement", "lan"),
        ("payment", "minh"),
        ("transferred", "mai"),
        ("returned", "lan"),
    ],
)
def test_page_offers_exactly_the_allowed_actions(world: World, stage: str, persona: str) -> None:
    d = dossier_at(world, stage)
    user = getattr(world, persona)
    response = client_for(user).get(detail_url(d))
    assert response.status_code == 200
    html = response.content.decode()
    offered = set(ACTION_URL.findall(html))
    assert offered == set(selectors.dossier_allowed_actions(user=user, dossier=d))
    assert d.code in html
    assert f'name="row_version" value="{d.row_version}"' in html or not offered


def test_named_buttons_for_the_main_path(world: World) -> None:
    html = client_for(world.lan).get(detail_url(dossier_at(world, "received"))).content.decode()
    assert ">Chuyển bước tiếp theo</button>" in html
    assert "In giấy tiếp nhận (mẫu 01)" in html
    assert (
        ">Phê duyệt</button>"
        in client_for(world.hung).get(detail_url(dossier_at(world, "approval"))).content.decode()
    )
    assert (
        ">Ghi nhận chữ ký số</button>"
        in client_for(world.hoa).get(detail_url(dossier_at(world, "signing"))).content.decode()
    )
    assert (
        ">Hoàn thành kết quả</button>"
        in client_for(world.hoa).get(detail_url(dossier_at(world, "signed"))).content.decode()
    )
    assert (
        ">Trả kết quả</button>"
        in client_for(world.lan).get(detail_url(dossier_at(world, "result_ready"))).content.decode()
    )


def test_page_shows_components_fees_steps_events_and_due_explanation(world: World) -> None:
    d = dossier_at(world, "supplement")
    html = client_for(world.minh).get(detail_url(d)).content.decode()
    for text in (
        "Nguyễn Văn An",
        "022090001234",
        "Đơn đề nghị (mẫu 01)",
        "Lệ phí cấp giấy phép",
        "50.000 đồng",
        "Tiếp nhận hồ sơ",
        "Thẩm định",
        "Yêu cầu bổ sung hồ sơ",
        "Cách tính hạn xử lý",
        "Tạm dừng tính thời gian",
        "Phiếu yêu cầu bổ sung (mẫu 02)",
    ):
        assert text in html, text


@dataclass
class Case:
    stage: str
    persona: str
    action: str
    data: Callable[[World, Dossier], dict[str, Any]]
    check: Callable[[World, Dossier], bool]
    wrong: str = "tam"
    files: dict[str, Any] = field(default_factory=dict)


def _upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("ban-sao.pdf", upload_files.pdf_bytes(), content_type="application/pdf")


CASES = [
    Case("submitted", "lan", "accept", lambda w, d: {}, lambda w, d: d.state == DossierState.ACCEPTED),
    Case(
        "submitted",
        "lan",
        "refuse",
        lambda w, d: {"reason": "Thiếu đơn"},
        lambda w, d: d.state == DossierState.REFUSED,
    ),
    Case("pool", "tam", "claim", lambda w, d: {}, lambda w, d: d.current_assignee == w.tam, wrong="hoa"),
    Case(
        "appraisal",
        "hung",
        "reassign",
        lambda w, d: {"assignee": str(w.tam.pk), "reason": "Minh nghỉ phép"},
        lambda w, d: d.current_assignee == w.tam,
    ),
    Case(
        "received",
        "lan",
        "forward",
        lambda w, d: {"assignee": str(w.minh.pk), "note": "Chuyển thẩm định"},
        lambda w, d: d.current_assignee == w.minh and d.state == DossierState.PROCESSING,
    ),
    Case(
        "appraisal",
        "minh",
        "send_back",
        lambda w, d: {"reason": "Kiểm tra lại"},
        lambda w, d: d.current_step is not None and d.current_step.name == "Tiếp nhận hồ sơ",
    ),
    Case(
        "appraisal",
        "minh",
        "transfer",
        lambda w, d: {"to_unit": str(w.department.pk), "reason": "Xin ý kiến"},
        lambda w, d: d.state == DossierState.TRANSFERRED,
    ),
    Case(
        "transferred",
        "mai",
        "transfer_back",
        lambda w, d: {"note": "Đồng ý"},
        lambda w, d: d.state == DossierState.PROCESSING,
    ),
    Case(
        "appraisal",
        "minh",
        "request_supplement",
        lambda w, d: {"items": "Bản sao giấy khai sinh | mờ\nẢnh 4x6", "reason": "Thiếu giấy tờ"},
        lambda w, d: d.state == DossierState.SUPPLEMENT_REQUESTED,
    ),
    Case(
        "supplement",
        "lan",
        "receive_supplement",
        lambda w, d: {"paper_0": "on", "file_0": _upload(), "note": "Đã nhận"},
        lambda w, d: d.state == DossierState.PROCESSING and d.components.filter(is_supplement=True).exists(),
    ),
    Case(
        "appraisal",
        "minh",
        "request_payment",
        lambda w, d: {"fee_name": "Tiền thuê đất", "amount_vnd": "250000", "reason": ""},
        lambda w, d: d.state == DossierState.AWAITING_PAYMENT,
    ),
    Case(
        "payment",
        "minh",
        "record_payment",
        lambda w, d: {"reference": "BL-0001"},
        lambda w, d: d.state == DossierState.PROCESSING and d.fees_paid,
    ),
    Case(
        "approval",
        "hung",
        "approve",
        lambda w, d: {"note": "Đồng ý"},
        lambda w, d: d.decision == Decision.APPROVED,
    ),
    Case(
        "approval",
        "hung",
        "reject",
        lambda w, d: {"reason": "Không đủ điều kiện"},
        lambda w, d: d.decision == Decision.REJECTED,
    ),
    Case(
        "signing",
        "hoa",
        "record_signature",
        lambda w, d: {"signer": str(w.hung.pk), "signature_reference": "QĐ-45/2026"},
        lambda w, d: d.signature_reference == "QĐ-45/2026" and d.signed_by == w.hung,
    ),
    Case(
        "signed",
        "hoa",
        "mark_result_ready",
        lambda w, d: {"note": ""},
        lambda w, d: d.state == DossierState.RESULT_READY,
    ),
    Case(
        "result_ready",
        "lan",
        "return_result",
        lambda w, d: {"method": "postal", "note": ""},
        lambda w, d: d.state == DossierState.RETURNED,
    ),
    Case(
        "appraisal",
        "lan",
        "withdraw",
        lambda w, d: {"reason": "Công dân xin rút"},
        lambda w, d: d.state == DossierState.WITHDRAWN,
    ),
    Case(
        "appraisal",
        "hung",
        "stop",
        lambda w, d: {"reason": "Có tranh chấp"},
        lambda w, d: d.state == DossierState.STOPPED,
    ),
    Case(
        "appraisal",
        "minh",
        "extend",
        lambda w, d: {"new_due_at": "2026-03-10T10:00", "reason": "Cần xác minh thực địa"},
        lambda w, d: d.extended,
    ),
]
IDS = [c.action for c in CASES]


def _post(client: Any, d: Dossier, action: str, data: dict[str, Any], row_version: int) -> Any:
    return client.post(action_url(d, action), {**data, "row_version": str(row_version)})


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_action_happy_path(world: World, case: Case) -> None:
    d = dossier_at(world, case.stage)
    client = client_for(getattr(world, case.persona))
    response = _post(client, d, case.action, case.data(world, d), d.row_version)
    assert response.status_code == 302, response.content.decode()[:3000]
    d.refresh_from_db()
    assert case.check(world, d)
    page = client.get(response["Location"]).content.decode()
    assert "Đã thực hiện" in page


def _snapshot(d: Dossier) -> tuple[Any, ...]:
    d.refresh_from_db()
    return (d.row_version, d.state, d.event_count, d.current_step_id, d.current_assignee_id, d.due_at)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_action_on_a_stale_version_is_a_conflict(world: World, case: Case) -> None:
    d = dossier_at(world, case.stage)
    before = _snapshot(d)
    response = _post(
        client_for(getattr(world, case.persona)), d, case.action, case.data(world, d), d.row_version - 1
    )
    assert response.status_code == 409
    assert "Hồ sơ đã được người khác cập nhật, vui lòng tải lại" in response.content.decode()
    assert _snapshot(d) == before


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_action_by_the_wrong_role_is_refused(world: World, case: Case) -> None:
    d = dossier_at(world, case.stage)
    before = _snapshot(d)
    response = _post(
        client_for(getattr(world, case.wrong)), d, case.action, case.data(world, d), d.row_version
    )
    assert response.status_code in (400, 403), response.content.decode()[:2000]
    html = response.content.decode()
    assert 'class="bo-alert"' in html
    assert d.code in html  # the dossier page, re-rendered
    assert _snapshot(d) == before


def test_invalid_input_keeps_the_form_open_with_a_message(world: World) -> None:
    d = dossier_at(world, "approval")
    response = _post(client_for(world.hung), d, "reject", {"reason": ""}, d.row_version)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Vui lòng nhập thông tin này." in html
    assert re.search(
        r'<details class="bo-action bo-action--danger" open>\s*<summary>Từ chối giải quyết', html
    )
    assert _snapshot(d)[1] == DossierState.PROCESSING


def test_a_supplement_scan_that_is_not_a_pdf_is_a_form_error_and_nothing_is_stored(
    world: World, settings: Any
) -> None:
    d = dossier_at(world, "supplement")
    before = _snapshot(d)
    components = d.components.count()
    html_named_pdf = SimpleUploadedFile("ban-sao.pdf", upload_files.HTML, content_type="application/pdf")
    response = _post(
        client_for(world.lan), d, "receive_supplement", {"file_0": html_named_pdf, "note": "x"}, d.row_version
    )
    assert response.status_code == 400
    assert "Tệp «ban-sao.pdf» không phải tệp PDF, JPG hoặc PNG" in response.content.decode()
    assert _snapshot(d) == before
    assert d.components.count() == components
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_extend_too_late_shows_the_engines_message(world: World) -> None:
    d = dossier_at(world, "appraisal")
    response = _post(
        client_for(world.minh), d, "extend", {"new_due_at": "2026-03-01T10:00", "reason": "x"}, d.row_version
    )
    assert response.status_code == 400
    assert "Ngày hẹn trả mới phải sau ngày hẹn hiện tại" in response.content.decode()


def test_unknown_action_and_get_are_rejected(world: World) -> None:
    d = dossier_at(world, "appraisal")
    client = client_for(world.minh)
    assert client.post(action_url(d, "xoa"), {"row_version": "1"}).status_code == 404
    assert client.get(action_url(d, "approve")).status_code == 405


def test_forward_offers_the_next_steps_officials_and_the_pool(world: World) -> None:
    d = dossier_at(world, "received")
    html = client_for(world.lan).get(detail_url(d)).content.decode()
    assert "Trần Văn Minh" in html
    assert "Lê Thị Tâm" in html
    assert "Chuyển vào kho chung" in html
    assert "Vũ Văn Hùng" not in html.split("forward-assignee")[1].split("</select>")[0]
    response = _post(client_for(world.lan), d, "forward", {"assignee": str(world.hung.pk)}, d.row_version)
    assert response.status_code == 400
    assert "không thực hiện bước tiếp theo" in response.content.decode()

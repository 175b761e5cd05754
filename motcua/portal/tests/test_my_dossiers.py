"""Hồ sơ của tôi: the applicant's list and dossier page, supplement, withdrawal, files, rating, PAKN."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from motcua.accounts.tests.factories import AccountFactory
from motcua.dossiers.models import Dossier, DossierComponent, DossierState, DvcqgStatus
from motcua.dossiers.tests.factories import MONDAY_0900, World, dossier_at, world_build
from motcua.feedback.models import Feedback, Rating
from motcua.portal.tests.mine_support import client_for, pdf_upload


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def monday() -> Iterator[Any]:
    with time_machine.travel(MONDAY_0900, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(db: None, monday: Any) -> World:
    return world_build()


def _detail(d: Dossier) -> str:
    return reverse("portal:my_dossier_detail", args=[d.code])


# --------------------------------------------------------------------------------------------------
# List
# --------------------------------------------------------------------------------------------------


def test_list_shows_my_dossiers_only_with_status_unit_and_due(
    world: World, django_assert_max_num_queries: Any
):
    mine = [dossier_at(world, "received"), dossier_at(world, "supplement"), dossier_at(world, "submitted")]
    other = dossier_at(world, "received")
    Dossier.objects.filter(pk=other.pk).update(applicant_user=AccountFactory.create(citizen=True))
    client = client_for(world.an)
    with django_assert_max_num_queries(6):  # session, user, count, page (+ savepoints)
        response = client.get(reverse("portal:my_dossiers"))
    html = response.content.decode()
    assert response.status_code == 200
    for d in mine:
        assert d.code in html
    assert other.code not in html
    assert "Tạm dừng" in html  # the supplement request pauses the clock
    assert world.centre_a.name in html
    assert response["Cache-Control"] == "private, no-store"


def test_list_query_count_does_not_grow_with_the_page(world: World, django_assert_max_num_queries: Any):
    for _ in range(6):
        dossier_at(world, "received")
    client = client_for(world.an)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("portal:my_dossiers")).status_code == 200


def test_list_status_filter_and_paging(world: World, monkeypatch: Any):
    from motcua.portal import my_dossiers

    monkeypatch.setattr(my_dossiers, "PAGE_SIZE", 2)
    received = [dossier_at(world, "received") for _ in range(3)]
    submitted = dossier_at(world, "submitted")
    client = client_for(world.an)
    page = client.get(reverse("portal:my_dossiers"), {"trang_thai": DvcqgStatus.NEW}).content.decode()
    assert submitted.code in page
    assert not any(d.code in page for d in received)
    first = client.get(reverse("portal:my_dossiers")).content.decode()
    second = client.get(reverse("portal:my_dossiers"), {"trang": 2}).content.decode()
    assert 'aria-current="page"' in first
    assert "trang=2" in first
    codes = [d.code for d in [*received, submitted]]
    assert sum(code in first for code in codes) == 2
    assert sum(code in second for code in codes) == 2


def test_bad_filter_is_a_400_with_a_message_not_a_500(world: World):
    response = client_for(world.an).get(reverse("portal:my_dossiers"), {"trang_thai": "abc", "trang": "-1"})
    assert response.status_code == 400
    assert "Tất cả" in response.content.decode()


def test_organisation_sees_its_dossiers(world: World):
    company = AccountFactory.create(organisation=True)
    d = dossier_at(world, "received")
    Dossier.objects.filter(pk=d.pk).update(applicant_user=company)
    response = client_for(company).get(reverse("portal:my_dossiers"))
    assert d.code in response.content.decode()


def test_anonymous_goes_to_login_and_an_official_gets_403(world: World):
    response = client_for(None).get(reverse("portal:my_dossiers"))
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap?next=")
    assert client_for(world.lan).get(reverse("portal:my_dossiers")).status_code == 403


def test_navigation_link_only_for_signed_in_applicants(world: World):
    link = 'href="/ho-so-cua-toi"'
    assert link in client_for(world.an).get(reverse("catalog:home")).content.decode()
    assert link not in client_for(None).get(reverse("catalog:home")).content.decode()
    assert link not in client_for(world.lan).get(reverse("catalog:home")).content.decode()


# --------------------------------------------------------------------------------------------------
# Dossier page
# --------------------------------------------------------------------------------------------------


def test_detail_shows_status_step_timeline_components_fees_and_no_official_names(world: World):
    d = dossier_at(world, "supplement")
    html = client_for(world.an).get(_detail(d)).content.decode()
    assert "Yêu cầu bổ sung giấy tờ" in html  # status label 5
    assert "Bản sao giấy khai sinh" in html
    assert "Bản chụp bị mờ" in html
    assert "Yêu cầu bổ sung hồ sơ" in html  # the timeline's event
    assert "Hồ sơ thiếu giấy tờ" in html  # its reason, addressed to the applicant
    assert "Nộp hồ sơ bổ sung" in html  # the form
    assert 'enctype="multipart/form-data"' in html
    assert "csrfmiddlewaretoken" in html
    assert "Rút hồ sơ" in html  # withdrawal is still allowed
    for official in (world.lan, world.minh, world.hung):
        assert official.full_name not in html
    assert "Phí, lệ phí" in html


def test_detail_of_a_finished_dossier_offers_forms_and_rating_not_withdrawal(world: World):
    d = dossier_at(world, "returned")
    html = client_for(world.an).get(_detail(d)).content.decode()
    assert reverse("portal:my_dossier_form_pdf", args=[d.code, "01"]) in html
    assert "Gửi đánh giá" in html
    assert reverse("portal:my_dossier_withdraw", args=[d.code]) not in html
    assert "QD-123/2026" in html  # the result's reference number


# --------------------------------------------------------------------------------------------------
# Supplement
# --------------------------------------------------------------------------------------------------


def test_answering_a_supplement_restarts_the_clock_and_stores_the_file(world: World, monday: Any):
    d = dossier_at(world, "supplement")
    monday.shift(timedelta(hours=2))
    url = reverse("portal:my_dossier_supplement", args=[d.code])
    client = client_for(world.an)
    response = client.post(url, {"row_version": d.row_version, "file_0": pdf_upload(), "note": "Bản rõ nét"})
    assert response.status_code == 302, response.content.decode()[:2000]
    d.refresh_from_db()
    assert d.state == DossierState.PROCESSING
    assert d.status == DvcqgStatus.IN_PROGRESS
    assert d.clock_started_at == MONDAY_0900 + timedelta(hours=2)  # restarted from zero (domain §6.6)
    added = DossierComponent.objects.get(dossier=d, is_supplement=True)
    assert added.name == "Bản sao giấy khai sinh"
    assert added.file
    assert added.file_sha256
    event = d.events.order_by("-seq").first()
    assert event is not None
    assert event.action == "receive_supplement"
    assert event.actor_id == world.an.pk
    page = client.get(response["Location"]).content.decode()
    assert "Đã nộp hồ sơ bổ sung" in page
    download = client_for(world.an).get(reverse("portal:my_dossier_file", args=[d.code, added.pk]))
    assert download.status_code == 200
    assert download["Cache-Control"] == "private, no-store"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "Vui lòng chọn tệp cho giấy tờ này."),
        ({"file_0": ("trang.pdf", b"<html><script>alert(1)</script></html>")}, "không phải tệp PDF"),
    ],
)
def test_a_missing_or_wrong_file_changes_nothing(world: World, files: dict[str, Any], message: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    d = dossier_at(world, "supplement")
    data: dict[str, Any] = {"row_version": d.row_version}
    for key, (name, content) in files.items():
        data[key] = SimpleUploadedFile(name, content)
    response = client_for(world.an).post(reverse("portal:my_dossier_supplement", args=[d.code]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    d.refresh_from_db()
    assert d.state == DossierState.SUPPLEMENT_REQUESTED
    assert not DossierComponent.objects.filter(dossier=d, is_supplement=True).exists()


def test_a_stale_version_is_a_conflict_and_changes_nothing(world: World):
    d = dossier_at(world, "supplement")
    response = client_for(world.an).post(
        reverse("portal:my_dossier_supplement", args=[d.code]),
        {"row_version": d.row_version - 1, "file_0": pdf_upload()},
    )
    assert response.status_code == 409
    assert "vừa được cán bộ cập nhật" in response.content.decode()
    d.refresh_from_db()
    assert d.state == DossierState.SUPPLEMENT_REQUESTED


def test_supplement_post_without_an_open_request_is_refused(world: World):
    d = dossier_at(world, "appraisal")
    response = client_for(world.an).post(
        reverse("portal:my_dossier_supplement", args=[d.code]), {"row_version": d.row_version}
    )
    assert response.status_code == 409


# --------------------------------------------------------------------------------------------------
# Withdrawal
# --------------------------------------------------------------------------------------------------


def test_withdrawal_needs_confirmation_and_a_reason_then_sets_status_7(world: World):
    d = dossier_at(world, "appraisal")
    url = reverse("portal:my_dossier_withdraw", args=[d.code])
    client = client_for(world.an)
    page = client.get(url)
    assert page.status_code == 200
    assert "Xác nhận rút hồ sơ" in page.content.decode()
    refused = client.post(url, {"row_version": d.row_version, "reason": "Không còn nhu cầu"})
    assert refused.status_code == 400
    assert "Vui lòng đánh dấu xác nhận" in refused.content.decode()
    no_reason = client.post(url, {"row_version": d.row_version, "confirm": "on", "reason": " "})
    assert no_reason.status_code == 400
    assert "lý do" in no_reason.content.decode()
    d.refresh_from_db()
    assert d.state == DossierState.PROCESSING
    done = client.post(url, {"row_version": d.row_version, "confirm": "on", "reason": "Không còn nhu cầu"})
    assert done.status_code == 302
    d.refresh_from_db()
    assert d.status == DvcqgStatus.WITHDRAWN
    assert d.state_reason == "Không còn nhu cầu"


def test_withdrawal_is_refused_once_the_result_is_ready(world: World):
    d = dossier_at(world, "result_ready")
    url = reverse("portal:my_dossier_withdraw", args=[d.code])
    response = client_for(world.an).post(url, {"row_version": d.row_version, "confirm": "on", "reason": "x"})
    assert response.status_code == 409
    assert "không thể rút" in response.content.decode()
    d.refresh_from_db()
    assert d.state == DossierState.RESULT_READY


# --------------------------------------------------------------------------------------------------
# Files and forms
# --------------------------------------------------------------------------------------------------


def test_receipt_form_01_and_supplement_form_02_download(world: World):
    d = dossier_at(world, "supplement")
    client = client_for(world.an)
    for form in ("01", "02"):
        response = client.get(reverse("portal:my_dossier_form_pdf", args=[d.code, form]))
        assert response.status_code == 200
        assert response.content.startswith(b"%PDF-")
        assert "no-store" in response["Cache-Control"] or "private" in response["Cache-Control"]
    # Forms that do not apply, and the internal form 05, are not served.
    for form in ("03", "05", "xx"):
        assert client.get(reverse("portal:my_dossier_form_pdf", args=[d.code, form])).status_code == 404


def test_a_component_without_a_file_is_a_404(world: World):
    d = dossier_at(world, "received")
    component = d.components.order_by("order").first()
    assert component is not None
    assert not component.file
    url = reverse("portal:my_dossier_file", args=[d.code, component.pk])
    assert client_for(world.an).get(url).status_code == 404


# --------------------------------------------------------------------------------------------------
# Rating and PAKN
# --------------------------------------------------------------------------------------------------


def test_rating_once_after_the_result(world: World):
    early = dossier_at(world, "appraisal")
    client = client_for(world.an)
    refused = client.post(reverse("portal:my_dossier_rate", args=[early.code]), {"level": "hai_long"})
    assert refused.status_code == 400
    assert "đã có kết quả" in refused.content.decode()
    d = dossier_at(world, "returned")
    url = reverse("portal:my_dossier_rate", args=[d.code])
    assert client.post(url, {"level": "rat_hai_long", "comment": "Nhanh, chu đáo"}).status_code == 302
    again = client.post(url, {"level": "khong_hai_long"})
    assert again.status_code == 400
    assert "mỗi hồ sơ chỉ được đánh giá một lần" in again.content.decode()
    rating = Rating.objects.get(dossier=d)
    assert rating.level == "rat_hai_long"
    assert rating.account_id == world.an.pk
    assert "Bạn đã đánh giá" in client.get(_detail(d)).content.decode()


def test_bad_rating_level_is_a_message_on_the_field(world: World):
    d = dossier_at(world, "returned")
    response = client_for(world.an).post(reverse("portal:my_dossier_rate", args=[d.code]), {"level": "10"})
    assert response.status_code == 400
    assert "Vui lòng chọn mức độ hài lòng." in response.content.decode()
    assert not Rating.objects.exists()


def test_feedback_is_sent_with_a_due_time_and_the_answer_shows(world: World):
    d = dossier_at(world, "appraisal")
    client = client_for(world.an)
    url = reverse("portal:my_dossier_feedback", args=[d.code])
    assert client.post(url, {"kind": "phan_anh", "content": ""}).status_code == 400
    response = client.post(url, {"kind": "phan_anh", "content": "Chưa được hướng dẫn rõ"})
    assert response.status_code == 302
    row = Feedback.objects.get(dossier=d)
    assert row.due_at > row.created_at
    page = client.get(_detail(d)).content.decode()
    assert "Chưa được hướng dẫn rõ" in page
    assert "Chờ trả lời" in page
    from motcua.feedback import services

    services.feedback_answer(actor=world.minh, feedback=row, answer="Đã liên hệ hướng dẫn qua điện thoại")
    page = client.get(_detail(d)).content.decode()
    assert "Đã liên hệ hướng dẫn qua điện thoại" in page
    assert world.minh.full_name not in page  # the applicant sees the answer, not the official's name


def test_detail_page_query_count_is_bounded(world: World, django_assert_max_num_queries: Any):
    d = dossier_at(world, "supplement")
    client = client_for(world.an)
    client.get(_detail(d))  # warm the reference-data cache and the session
    # session, user, dossier, stamp, roles, open pause, events, rating, components, fees, feedback,
    # receipts (payments)
    with django_assert_max_num_queries(13):
        assert client.get(_detail(d)).status_code == 200


def test_the_withdrawal_page_of_a_finished_dossier_explains_and_offers_no_form(world: World):
    d = dossier_at(world, "returned")
    response = client_for(world.an).get(reverse("portal:my_dossier_withdraw", args=[d.code]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "không thể rút" in html
    assert "Xác nhận rút hồ sơ" not in html

"""The dossier admin is a read-only window: it lists, searches and shows, never adds, edits or deletes."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from motcua.dossiers import services
from motcua.dossiers.models import IntakeNoticeKind
from motcua.dossiers.tests.factories import APPLICANT, MONDAY_0900, World, dossier_at
from motcua.org.tests.factories import UserFactory


@pytest.fixture
def admin_client_(client, world: World):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_list_search_and_detail_are_read_only(admin_client_, world: World) -> None:
    with time_machine.travel(MONDAY_0900, tick=False):
        d = dossier_at(world, "appraisal")
    listing = admin_client_.get(reverse("admin:dossiers_dossier_changelist"), {"q": d.code})
    assert listing.status_code == 200
    assert d.code in listing.content.decode()
    detail = admin_client_.get(reverse("admin:dossiers_dossier_change", args=[d.pk]))
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "Thẩm định" in html
    assert 'name="_save"' not in html
    assert admin_client_.get(reverse("admin:dossiers_dossier_delete", args=[d.pk])).status_code == 403
    assert admin_client_.get(reverse("admin:dossiers_dossier_add")).status_code == 403
    assert (
        admin_client_.post(reverse("admin:dossiers_dossier_change", args=[d.pk]), {"code": "x"}).status_code
        == 403
    )


def test_intake_notices_are_listed_read_only(admin_client_, world: World) -> None:
    notice = services.intake_notice_issue(
        actor=world.lan,
        receiving_unit=world.centre_a,
        procedure=world.procedure,
        applicant=APPLICANT,
        kind=IntakeNoticeKind.REFUSAL,
        reason="Không thuộc thẩm quyền",
    )
    listing = admin_client_.get(reverse("admin:dossiers_intakenotice_changelist"), {"q": "Nguyễn Văn An"})
    assert listing.status_code == 200
    assert "Từ chối tiếp nhận hồ sơ (mẫu 03)" in listing.content.decode()
    detail = admin_client_.get(reverse("admin:dossiers_intakenotice_change", args=[notice.pk]))
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert admin_client_.get(reverse("admin:dossiers_intakenotice_add")).status_code == 403


def test_the_audit_trail_shows_actions_and_states_by_their_vietnamese_names(
    admin_client_, world: World
) -> None:
    """The events store codes ("receive", "forward", "processing"); the admin is Vietnamese-only."""
    with time_machine.travel(MONDAY_0900, tick=False):
        d = dossier_at(world, "appraisal")
    detail = admin_client_.get(reverse("admin:dossiers_dossier_change", args=[d.pk])).content.decode()
    trail = detail.split('id="events-group"')[1] if 'id="events-group"' in detail else detail
    assert "Tiếp nhận hồ sơ" in trail
    assert "Đang xử lý" in trail or "Đã tiếp nhận" in trail
    for code in ("<td>receive</td>", "forward</", "processing</", "accepted</"):
        assert code not in trail, code

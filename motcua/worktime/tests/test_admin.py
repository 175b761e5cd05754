from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from motcua.worktime.models import CalendarException, ExceptionKind


@pytest.fixture
def exceptions(db):
    CalendarException.objects.create(
        date=date(2026, 4, 15), kind=ExceptionKind.EXTRA_DAY_OFF, name="Nghỉ theo Quyết định 5/QĐ-UBND"
    )
    CalendarException.objects.create(
        date=date(2025, 4, 26), kind=ExceptionKind.EXTRA_WORKING_DAY, name="Làm bù"
    )


def test_changelist_with_filters_and_search(admin_client, exceptions):
    url = reverse("admin:worktime_calendarexception_changelist")
    page = admin_client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Nghỉ theo Quyết định 5/QĐ-UBND" in text
    assert "Thứ Tư" in text
    assert "Ngày làm việc: Ngày làm bù" in text  # what the national calendar says about 26/4/2025
    filtered = admin_client.get(url, {"year": "2025", "kind": "extra_working_day"}).content.decode()
    assert "Làm bù" in filtered
    assert "Quyết định 5" not in filtered
    searched = admin_client.get(url, {"q": "Quyết định"}).content.decode()
    assert "Nghỉ theo Quyết định 5/QĐ-UBND" in searched


def test_add_form(admin_client, db):
    url = reverse("admin:worktime_calendarexception_add")
    response = admin_client.post(
        url, {"date": "2026-05-04", "kind": "extra_day_off", "name": "Nghỉ bù theo Quyết định", "note": ""}
    )
    assert response.status_code == 302
    assert CalendarException.objects.get().date == date(2026, 5, 4)


# --------------------------------------------------------------------------------------------------
# Who may edit the calendar (docs/domain.md §1.5): the province's days off are the province admin's.
# --------------------------------------------------------------------------------------------------

# Persona → who they are; the calendar is province-wide, so a unit admin only reads it.
CALENDAR_PERSONAS = {
    "ong_tu": "ông Tư, quản trị hệ thống (superuser)",
    "ba_hoa": "bà Hoa, quản trị tỉnh (PROVINCE_ADMIN tại UBND tỉnh)",
    "anh_duc": "anh Đức, quản trị UBND phường Hạ Long (UNIT_ADMIN)",
    "anh_tuan": "anh Tuấn, xem báo cáo toàn tỉnh (REPORT_VIEWER)",
    "chi_lan": "chị Lan, tiếp nhận TT PVHCC phường Hạ Long (RECEPTION)",
}
CALENDAR_EDITORS = ("ong_tu", "ba_hoa")
CALENDAR_READERS = ("anh_duc",)


@pytest.fixture
def calendar_personas(db):
    from motcua.org.models import Role
    from motcua.org.tests.factories import OfficialFactory, UnitFactory, UserFactory

    province = UnitFactory(province_committee=True)
    commune = UnitFactory(parent=province)
    centre = UnitFactory(commune_centre=True, parent=commune)
    grants = {
        "ba_hoa": [(province, Role.PROVINCE_ADMIN)],
        "anh_duc": [(commune, Role.UNIT_ADMIN)],
        "anh_tuan": [(province, Role.REPORT_VIEWER)],
        "chi_lan": [(centre, Role.RECEPTION)],
    }
    users = {"ong_tu": UserFactory(username="ong_tu", is_staff=True, is_superuser=True)}
    for persona, assignments in grants.items():
        # Staff flag on everyone: the role decides, not the flag.
        official = OfficialFactory(
            user=UserFactory(username=persona, is_staff=True),
            full_name=CALENDAR_PERSONAS[persona],
            assignments=assignments,
        )
        users[persona] = official.user
    return users


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("persona", CALENDAR_PERSONAS)
def test_calendar_pages_by_persona(calendar_personas, exceptions, persona):
    client = _client(calendar_personas[persona])
    row = CalendarException.objects.get(date=date(2026, 4, 15))
    readable = persona in CALENDAR_EDITORS + CALENDAR_READERS
    for url in (
        reverse("admin:worktime_calendarexception_changelist"),
        reverse("admin:worktime_calendarexception_change", args=[row.pk]),
    ):
        assert client.get(url).status_code == (200 if readable else 403), (CALENDAR_PERSONAS[persona], url)
    editable = persona in CALENDAR_EDITORS
    add = client.get(reverse("admin:worktime_calendarexception_add"))
    assert add.status_code == (200 if editable else 403), CALENDAR_PERSONAS[persona]
    if readable:
        change = client.get(reverse("admin:worktime_calendarexception_change", args=[row.pk]))
        assert ('name="name"' in change.content.decode()) is editable, CALENDAR_PERSONAS[persona]


@pytest.mark.parametrize("persona", CALENDAR_PERSONAS)
def test_calendar_save_by_persona(calendar_personas, exceptions, persona):
    from motcua.core.selectors import reference_data_stamp
    from motcua.worktime import selectors

    client = _client(calendar_personas[persona])
    row = CalendarException.objects.get(date=date(2026, 4, 15))
    assert selectors.is_working_day(date(2026, 5, 5))  # warm the process calendar: a Tuesday at work
    stamp = reference_data_stamp()

    added = client.post(
        reverse("admin:worktime_calendarexception_add"),
        {"date": "2026-05-05", "kind": "extra_day_off", "name": "Nghỉ theo Quyết định 9/QĐ-UBND", "note": ""},
    )
    changed = client.post(
        reverse("admin:worktime_calendarexception_change", args=[row.pk]),
        {"date": "2026-04-15", "kind": "extra_day_off", "name": "Đã sửa", "note": ""},
    )
    deleted = client.post(reverse("admin:worktime_calendarexception_delete", args=[row.pk]), {"post": "yes"})

    if persona in CALENDAR_EDITORS:
        assert (added.status_code, changed.status_code, deleted.status_code) == (302, 302, 302)
        assert not CalendarException.objects.filter(date=date(2026, 4, 15)).exists()
        assert CalendarException.objects.get(date=date(2026, 5, 5)).name == "Nghỉ theo Quyết định 9/QĐ-UBND"
        # Deadlines computed by this process follow at once, other processes at their next check.
        assert reference_data_stamp() != stamp
        assert not selectors.is_working_day(date(2026, 5, 5))
    else:
        assert (added.status_code, changed.status_code, deleted.status_code) == (403, 403, 403)
        assert CalendarException.objects.get(date=date(2026, 4, 15)).name == "Nghỉ theo Quyết định 5/QĐ-UBND"
        assert not CalendarException.objects.filter(date=date(2026, 5, 5)).exists()
        assert reference_data_stamp() == stamp
        assert selectors.is_working_day(date(2026, 5, 5))

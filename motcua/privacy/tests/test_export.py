"""Export of a person's data: by the citizen from the portal, by a unit admin on request (audited)."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from motcua.accounts.tests.factories import AccountFactory
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import APPLICANT, World, _official, dossier_at
from motcua.org.models import Role
from motcua.privacy.models import PersonalDataAccess
from motcua.privacy.registry import export_sections

URL = "/can-bo/du-lieu-ca-nhan/"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_sections_come_from_every_app_holding_personal_data() -> None:
    assert {
        "dossiers",
        "payments",
        "ratings",
        "feedback",
        "datastore",
        "notifications",
        "drafts",
        "access_log",
    } <= set(export_sections())


def test_the_citizen_downloads_all_their_data_and_only_theirs(world: World) -> None:
    mine = dossier_at(world, "received")
    other = AccountFactory.create(citizen=True)
    theirs = dossier_at(world, "received")
    Dossier.objects.filter(pk=theirs.pk).update(applicant_user=other)
    _client(world.lan).get(f"/can-bo/ho-so/{mine.code}/")
    an = _client(world.an)
    assert an.get("/du-lieu-ca-nhan/tai-ve").status_code == 405  # POST only: no prefetch builds one
    response = an.post("/du-lieu-ca-nhan/tai-ve")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="du-lieu-ca-nhan-')
    data = json.loads(response.content)
    assert data["format"] == "motcua.personal-data-export/1"
    assert data["account"]["personal_id"] == world.an.personal_id
    sections = data["sections"]
    assert [d["code"] for d in sections["dossiers"]] == [mine.code]
    dossier = sections["dossiers"][0]
    assert dossier["applicant"]["phone"] == APPLICANT.phone
    assert dossier["components"]
    assert dossier["history"][0]["action"] == "receive"
    assert [row["what"] for row in sections["access_log"]] == ["Xem hồ sơ"]
    # The citizen's own export is not an access by someone else: nothing new in the log.
    assert PersonalDataAccess.objects.count() == 1


def test_a_unit_admin_exports_on_request_and_the_export_is_logged(world: World) -> None:
    admin = _official("qtdv", "Phạm Quản Trị", [(world.centre_a, Role.UNIT_ADMIN)])
    d = dossier_at(world, "received")
    # A counter dossier under An's number, not linked to any account: included for the officer.
    Dossier.objects.filter(pk=d.pk).update(applicant_user=None)
    client = _client(admin)
    page = client.get(URL)
    assert page.status_code == 200
    assert "Xuất dữ liệu cá nhân theo yêu cầu" in page.content.decode()
    response = client.post(URL, {"so_dinh_danh": APPLICANT.id_number, "ly_do": "Đơn ngày 02/12/2026"})
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["account"] is None
    assert [row["code"] for row in data["sections"]["dossiers"]] == [d.code]
    entry = PersonalDataAccess.objects.get()
    assert entry.official_id == admin.pk
    assert entry.what == "Xuất toàn bộ dữ liệu cá nhân theo yêu cầu (Đơn ngày 02/12/2026)"
    # The identity number went in the POST body: never in a URL, and not stored in the log.
    assert APPLICANT.id_number not in json.dumps(list(PersonalDataAccess.objects.values()), default=str)


def test_export_refusals_change_nothing(world: World) -> None:
    admin = _official("qtdv2", "Phạm Quản Trị", [(world.centre_a, Role.UNIT_ADMIN)])
    client = _client(admin)
    bad = client.post(URL, {"so_dinh_danh": "12345", "ly_do": "Đơn"})
    assert bad.status_code == 400
    assert "Mã số thuế phải gồm 10 chữ số" in bad.content.decode()
    unknown = client.post(URL, {"so_dinh_danh": "022090009999", "ly_do": "Đơn"})
    assert unknown.status_code == 400
    assert "Hệ thống không lưu dữ liệu nào của số định danh này." in unknown.content.decode()
    no_reason = client.post(URL, {"so_dinh_danh": APPLICANT.id_number})
    assert no_reason.status_code == 400
    # A casework official without the unit admin role: the Vietnamese 403, no export.
    denied = _client(world.lan).post(URL, {"so_dinh_danh": APPLICANT.id_number, "ly_do": "Đơn"})
    assert denied.status_code == 403
    assert "Chỉ quản trị đơn vị" in denied.content.decode()
    assert not PersonalDataAccess.objects.exists()

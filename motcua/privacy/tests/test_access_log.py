"""The personal-data access log: officials' reads recorded; the citizen sees their own entries only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import Client

from motcua.accounts.tests.factories import AccountFactory
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import APPLICANT, World, dossier_at
from motcua.identity.services import api_token_create
from motcua.privacy.models import PersonalDataAccess
from motcua.privacy.services import subject_hash


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_official_reading_a_dossier_and_its_pages_is_logged(world: World) -> None:
    d = dossier_at(world, "received")
    lan = _client(world.lan)
    assert lan.get(f"/can-bo/ho-so/{d.code}/").status_code == 200
    entries = list(PersonalDataAccess.objects.order_by("id"))
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.official_id, entry.official_name, entry.what) == (
        world.lan.pk,
        "Nguyễn Thị Lan",
        "Xem hồ sơ",
    )
    assert (entry.unit_id, entry.unit_name) == (world.centre_a.pk, world.centre_a.name)
    assert (entry.dossier_id, entry.dossier_code, entry.subject_id) == (d.pk, d.code, world.an.pk)
    assert entry.subject_hash == subject_hash(APPLICANT.id_number)
    assert APPLICANT.id_number not in entry.subject_hash
    assert entry.channel == "web"
    # An official of another commune gets a 404 and leaves no entry: nothing was read.
    assert _client(world.binh).get(f"/can-bo/ho-so/{d.code}/").status_code == 404
    assert PersonalDataAccess.objects.count() == 1
    # The other pages showing the applicant's data: payments, forms.
    assert lan.get(f"/can-bo/ho-so/{d.code}/thanh-toan/").status_code == 200
    assert lan.get(f"/can-bo/ho-so/{d.code}/bieu-mau/01.pdf").status_code == 200
    whats = list(PersonalDataAccess.objects.order_by("id").values_list("what", flat=True))
    assert whats == ["Xem hồ sơ", "Xem thanh toán phí, lệ phí", "Tải biểu mẫu 01"]


def test_api_reads_by_officials_are_logged_but_not_the_applicants_own(world: World) -> None:
    d = dossier_at(world, "received")
    _row, raw = api_token_create(user=world.lan, name="một cửa")
    response = Client().get(f"/api/v1/dossiers/{d.code}", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    entry = PersonalDataAccess.objects.get()
    assert (entry.what, entry.channel, entry.official_id) == ("API đọc hồ sơ", "api", world.lan.pk)
    _row, mine = api_token_create(user=world.an, name="ứng dụng công dân")
    assert (
        Client().get(f"/api/v1/dossiers/{d.code}", headers={"Authorization": f"Bearer {mine}"}).status_code
        == 200
    )
    assert PersonalDataAccess.objects.count() == 1


def test_the_citizen_sees_who_viewed_their_data_and_no_one_elses(world: World, monday: Any) -> None:
    mine = dossier_at(world, "received")
    lan = _client(world.lan)
    lan.get(f"/can-bo/ho-so/{mine.code}/")
    lan.get(f"/can-bo/ho-so/{mine.code}/")  # a reload: folded into one line
    monday.shift(timedelta(hours=1))
    _client(world.minh)  # Minh has no role at the centre yet: no read
    # Another citizen's dossier, read by Lan: never on An's page.
    other = AccountFactory.create(citizen=True, full_name="Trần Thị Bích")
    theirs = dossier_at(world, "received")
    Dossier.objects.filter(pk=theirs.pk).update(applicant_user=other, applicant_id_number=other.personal_id)
    lan.get(f"/can-bo/ho-so/{theirs.code}/")

    page = _client(world.an).get("/du-lieu-ca-nhan")
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("max-age=0")
    html = page.content.decode()
    assert "Ai đã xem dữ liệu của tôi" in html
    assert "Nguyễn Thị Lan" in html
    assert world.centre_a.name in html
    assert mine.code in html
    assert theirs.code not in html
    assert "2 lần" in html
    html_other = _client(other).get("/du-lieu-ca-nhan").content.decode()
    assert theirs.code in html_other
    assert mine.code not in html_other
    # Linked from «Hồ sơ của tôi»; officials and anonymous visitors do not get the page.
    assert "/du-lieu-ca-nhan" in _client(world.an).get("/ho-so-cua-toi").content.decode()
    assert Client().get("/du-lieu-ca-nhan").status_code == 302
    assert _client(world.lan).get("/du-lieu-ca-nhan").status_code == 403


def test_a_counter_dossier_not_linked_to_the_account_still_shows_by_identity_number(world: World) -> None:
    d = dossier_at(world, "received")
    Dossier.objects.filter(pk=d.pk).update(applicant_user=None, applicant_id_number=world.an.personal_id)
    _client(world.lan).get(f"/can-bo/ho-so/{d.code}/")
    assert PersonalDataAccess.objects.get().subject_id is None
    assert d.code in _client(world.an).get("/du-lieu-ca-nhan").content.decode()

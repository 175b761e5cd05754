"""Login, logout, and who may open back-office pages (Vietnamese 403, outsiders get 404)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from motcua.backoffice.tests.conftest import client_for
from motcua.core.storage import display_filename
from motcua.dossiers.tests.factories import World, dossier_at

pytestmark = pytest.mark.django_db

PAGES = ["backoffice:queue", "backoffice:intake_start", "backoffice:unit"]


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_is_sent_to_the_officials_login(client: Client, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("backoffice:login") + "?next=")


def test_login_page_is_vietnamese_and_logs_in(world: World) -> None:
    client = Client()
    page = client.get(reverse("backoffice:login"))
    assert page.status_code == 200
    assert "Đăng nhập dành cho cán bộ" in page.content.decode()
    user = world.lan
    user.set_password("mat-khau-rat-dai-2026")
    user.save()
    bad = client.post(reverse("backoffice:login"), {"username": user.username, "password": "sai"})
    assert bad.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in bad.content.decode()
    ok = client.post(
        reverse("backoffice:login"),
        {"username": user.username, "password": "mat-khau-rat-dai-2026", "next": "/can-bo/tiep-nhan/"},
    )
    assert ok.status_code == 302
    assert ok["Location"] == "/can-bo/tiep-nhan/"
    assert client.get(reverse("backoffice:queue")).status_code == 200
    out = client.post(reverse("backoffice:logout"))
    assert out.status_code == 302
    assert out["Location"] == reverse("backoffice:login")
    assert client.get(reverse("backoffice:queue")).status_code == 302


@pytest.mark.parametrize("persona", ["an", "khach"])
def test_users_without_an_official_role_get_the_vietnamese_403(world: World, persona: str) -> None:
    response = client_for(getattr(world, persona)).get(reverse("backoffice:queue"))
    assert response.status_code == 403
    assert "Không có quyền truy cập" in response.content.decode()


def test_inactive_assignment_gives_no_access(world: World) -> None:
    world.lan.official.assignments.update(is_active=False)
    assert client_for(world.lan).get(reverse("backoffice:queue")).status_code == 403


def test_outsider_of_another_commune_gets_404_on_dossier_and_file(world: World) -> None:
    from django.core.files.base import ContentFile

    d = dossier_at(world, "appraisal")
    component = d.components.first()
    assert component is not None
    component.file.save("giay-to.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    binh = client_for(world.binh)
    assert binh.get(reverse("backoffice:dossier_detail", args=[d.code])).status_code == 404
    assert binh.get(reverse("backoffice:component_download", args=[d.code, component.pk])).status_code == 404
    assert binh.get(reverse("backoffice:dossier_form_pdf", args=[d.code, "01"])).status_code == 404
    # The citizen who owns it cannot use the back office either.
    assert client_for(world.an).get(reverse("backoffice:dossier_detail", args=[d.code])).status_code == 403
    # An official of the dossier's unit downloads it through the checked view.
    minh = client_for(world.minh)
    response = minh.get(reverse("backoffice:component_download", args=[d.code, component.pk]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert body == b"%PDF-1.4 test"
    assert response["Cache-Control"] == "private, no-store"
    assert "attachment" in response["Content-Disposition"]
    # Stored under its SHA-256, downloaded under the document's name (never the storage name).
    assert component.file.name
    assert component.name
    assert component.file.name.rsplit("/", 1)[-1].split(".")[0] not in response["Content-Disposition"]
    assert display_filename(component.name, component.file.name) in response["Content-Disposition"]


def test_unit_page_needs_a_supervising_role(world: World) -> None:
    assert client_for(world.minh).get(reverse("backoffice:unit")).status_code == 403
    assert client_for(world.hung).get(reverse("backoffice:unit")).status_code == 200


def test_superuser_is_an_official(db: None) -> None:
    admin = get_user_model().objects.create_superuser("root", "root@example.test", "x")
    assert client_for(admin).get(reverse("backoffice:queue")).status_code == 200

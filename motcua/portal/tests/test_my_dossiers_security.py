"""Security of the applicant's pages (issue 10 item 11): a citizen sees only their own dossiers, files
and feedback. Every object endpoint is tried, with citizen An's codes and ids, by a second citizen, an
organisation, an anonymous visitor and an official of an unrelated unit: each gets a 404, a 403 or the
login redirect, and nothing changes. Every form needs its CSRF token."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from motcua.accounts.models import Account
from motcua.core.tests.upload_files import pdf_bytes
from motcua.dossiers.actions import action_specs
from motcua.dossiers.models import Dossier, DossierComponent, DossierEvent, DossierResultDocument
from motcua.dossiers.tests.factories import MONDAY_0900, World, dossier_at, world_build
from motcua.feedback import services as feedback_services
from motcua.feedback.models import Feedback, Rating
from motcua.identity.services import api_token_create
from motcua.portal.tests.mine_support import client_for, pdf_upload, personas


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(db: None) -> Iterator[World]:
    with time_machine.travel(MONDAY_0900, tick=False):
        yield world_build()


@dataclass
class AnsDossiers:
    supplement: Dossier  # waits for An's supplement; one component has An's scan
    returned: Dossier  # finished: ratable, forms 01
    component: DossierComponent
    feedback: Feedback
    result: DossierResultDocument  # the signed result of ``returned``


@pytest.fixture
def ans(world: World) -> AnsDossiers:
    supplement = dossier_at(world, "supplement")
    component = supplement.components.order_by("order").first()
    assert component is not None
    component.file.save("cccd-cua-an.pdf", ContentFile(pdf_bytes()), save=True)
    returned = dossier_at(world, "returned")
    feedback = feedback_services.feedback_create(
        actor=world.an, dossier=supplement, kind="phan_anh", content="Nội dung riêng của An"
    )
    return AnsDossiers(
        supplement=supplement,
        returned=returned,
        component=component,
        feedback=feedback,
        result=DossierResultDocument.objects.get(dossier=returned),
    )


def _snapshot() -> tuple[Any, ...]:
    return (
        tuple(Dossier.objects.order_by("pk").values_list("pk", "state", "row_version", "event_count")),
        DossierEvent.objects.count(),
        DossierComponent.objects.count(),
        tuple(Rating.objects.values_list("pk", "level")),
        tuple(Feedback.objects.order_by("pk").values_list("pk", "status", "answer")),
    )


def _portal_requests(ans: AnsDossiers) -> list[tuple[str, str, dict[str, Any]]]:
    s, r = ans.supplement, ans.returned
    return [
        ("get", reverse("portal:my_dossier_detail", args=[s.code]), {}),
        ("get", reverse("portal:my_dossier_detail", args=[r.code]), {}),
        (
            "post",
            reverse("portal:my_dossier_supplement", args=[s.code]),
            {"row_version": s.row_version, "file_0": pdf_upload()},
        ),
        ("get", reverse("portal:my_dossier_withdraw", args=[s.code]), {}),
        (
            "post",
            reverse("portal:my_dossier_withdraw", args=[s.code]),
            {"row_version": s.row_version, "reason": "rút", "confirm": "on"},
        ),
        ("get", reverse("portal:my_dossier_file", args=[s.code, ans.component.pk]), {}),
        ("get", reverse("portal:my_dossier_form_pdf", args=[s.code, "01"]), {}),
        ("get", reverse("portal:my_dossier_form_pdf", args=[s.code, "02"]), {}),
        ("get", reverse("portal:my_dossier_form_pdf", args=[r.code, "01"]), {}),
        ("get", reverse("portal:my_dossier_result", args=[r.code, ans.result.pk]), {}),
        ("post", reverse("portal:my_dossier_rate", args=[r.code]), {"level": "khong_hai_long"}),
        ("post", reverse("portal:my_dossier_feedback", args=[s.code]), {"kind": "phan_anh", "content": "x"}),
    ]


def test_an_reaches_every_endpoint_of_the_matrix(world: World, ans: AnsDossiers):
    """The matrix is only meaningful if the owner gets through: every GET answers 200 for An."""
    client = client_for(world.an)
    for method, url, _data in _portal_requests(ans):
        if method == "get":
            assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    "who", ["second citizen", "organisation", "anonymous", "official of an unrelated unit (Bình, Bãi Cháy)"]
)
def test_nobody_else_reaches_ans_dossiers_files_or_feedback(world: World, ans: AnsDossiers, who: str):
    user = personas(world)[who]
    client = client_for(user)
    before = _snapshot()
    for method, url, data in _portal_requests(ans):
        response = getattr(client, method)(url, data)
        body = response.content.decode(errors="replace") if not response.streaming else ""
        if user is None:
            assert response.status_code == 302, url
            assert response["Location"].startswith("/dang-nhap"), url
        elif user.kind == "official":
            assert response.status_code == 403, url  # the applicant's pages are not the back office
        else:
            assert response.status_code == 404, (url, response.status_code)
        assert ans.supplement.applicant_name not in body
        assert "Nội dung riêng của An" not in body
        assert "%PDF" not in body
    # Their own list does not show An's dossiers.
    if user is not None and user.kind != "official":
        listing = client.get(reverse("portal:my_dossiers")).content.decode()
        assert ans.supplement.code not in listing
        assert ans.returned.code not in listing
    assert _snapshot() == before


def _api_client(user: Account | None) -> tuple[Client, dict[str, str]]:
    if user is None:
        return Client(), {}
    _row, raw = api_token_create(user=user, name="thử nghiệm")
    return Client(), {"Authorization": f"Bearer {raw}"}


@pytest.mark.parametrize(
    "who", ["second citizen", "organisation", "anonymous", "official of an unrelated unit (Bình, Bãi Cháy)"]
)
def test_the_api_hides_ans_dossiers_from_everyone_else(world: World, ans: AnsDossiers, who: str):
    user = personas(world)[who]
    client, headers = _api_client(user)
    before = _snapshot()
    expected = 401 if user is None else 404
    result_url = f"/api/v1/dossiers/{ans.returned.code}/results/{ans.result.pk}"
    assert client.get(result_url, headers=headers).status_code == expected
    for d in (ans.supplement, ans.returned):
        assert client.get(f"/api/v1/dossiers/{d.code}", headers=headers).status_code == expected
        for spec in action_specs():  # every action of the registry, the applicant's two included
            response = client.post(
                f"/api/v1/dossiers/{d.code}/actions/{spec.action}",
                {"row_version": d.row_version},
                content_type="application/json",
                headers=headers,
            )
            assert response.status_code == expected, (spec.action, response.content)
    listing = client.get("/api/v1/dossiers", headers=headers)
    if user is None:
        assert listing.status_code == 401
    else:
        assert listing.status_code == 200
        assert ans.supplement.code not in listing.content.decode()
    assert _snapshot() == before


def test_the_back_office_pakn_page_hides_ans_feedback_from_an_unrelated_official(
    world: World, ans: AnsDossiers
):
    before = _snapshot()
    binh = client_for(world.binh)
    page = binh.get(reverse("backoffice:feedback_list"))
    assert page.status_code == 200
    assert "Nội dung riêng của An" not in page.content.decode()
    url = reverse("backoffice:feedback_answer", args=[ans.feedback.pk])
    assert binh.post(url, {"answer": "Trả lời mạo danh"}).status_code == 404
    for user in (world.an, personas(world)["second citizen"]):
        assert client_for(user).post(url, {"answer": "x"}).status_code == 403
    assert client_for(None).post(url, {"answer": "x"}).status_code == 302
    assert _snapshot() == before


def test_every_form_of_the_applicant_needs_the_csrf_token(world: World, ans: AnsDossiers):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.an)
    before = _snapshot()
    for method, url, data in _portal_requests(ans):
        if method == "post":
            assert client.post(url, data).status_code == 403, url
    official = Client(enforce_csrf_checks=True)
    official.force_login(world.minh)
    answer = reverse("backoffice:feedback_answer", args=[ans.feedback.pk])
    assert official.post(answer, {"answer": "x"}).status_code == 403
    assert _snapshot() == before
    # The pages carry the token for the forms they show.
    page = client.get(reverse("portal:my_dossier_detail", args=[ans.supplement.code])).content.decode()
    assert page.count("csrfmiddlewaretoken") >= 2

"""Factories of the online submission tests: an online-ready world, files, a draft walked to review."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from motcua.catalog.models import Procedure, ServiceLevel
from motcua.core.tests.upload_files import image_bytes, pdf_bytes
from motcua.dossiers.tests.factories import World, world_build
from motcua.portal.models import SubmissionDraft

APPLICANT_POST = {
    "kind": "person",
    "name": "Nguyễn Văn An",
    "id_number": "022090001234",
    "birth_date": "",
    "phone": "0912345678",
    "email": "an@example.test",
    "address": "Tổ 1, khu 2, phường Hạ Long",
}


def online_world() -> World:
    """The engine's test world with its commune procedure published as full online (toàn trình)."""
    world = world_build()
    Procedure.objects.filter(pk=world.procedure.pk).update(service_level=ServiceLevel.FULL_ONLINE)
    world.procedure.refresh_from_db()
    return world


def pdf_upload(name: str = "don-de-nghi.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def png_upload(name: str = "anh.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("PNG"), content_type="image/png")


def step(draft: SubmissionDraft, name: str) -> str:
    return reverse(
        "portal:submit_step", kwargs={"code": draft.procedure.code, "draft_id": draft.pk, "step": name}
    )


def draft_to_review(client: Client, world: World, **applicant: Any) -> SubmissionDraft:
    """Through the pages, as the signed-in client: start, applicant, generic form, the required upload."""
    client.post(reverse("portal:submit_start", args=[world.procedure.code]))
    draft = SubmissionDraft.objects.filter(procedure=world.procedure).latest("pk")
    client.post(
        step(draft, "nguoi-nop"), APPLICANT_POST | {"receiving_unit": str(world.centre_a.pk)} | applicant
    )
    client.post(step(draft, "to-khai"), {"noi_dung": "Đề nghị cấp giấy phép thử nghiệm cho hộ gia đình."})
    required = world.procedure.documents.get(required=True)
    client.post(
        step(draft, "giay-to"), {"action": f"upload:{required.pk}", f"file_{required.pk}": pdf_upload()}
    )
    client.post(step(draft, "giay-to"), {"action": "next"})
    draft.refresh_from_db()
    return draft

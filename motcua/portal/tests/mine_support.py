"""Shared helpers of the "Hồ sơ của tôi" tests: a frozen working Monday, media in a temporary folder,
the citizen An's dossiers at each stage, and the other personas of the permission matrix."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.accounts.models import Account
from motcua.accounts.tests.factories import AccountFactory
from motcua.core.tests.upload_files import pdf_bytes


def client_for(user: Account | None) -> Client:
    client = Client(enforce_csrf_checks=False)
    if user is not None:
        client.force_login(user)
    return client


def pdf_upload(name: str = "giay-khai-sinh.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def other_citizen() -> Account:
    return AccountFactory.create(citizen=True, full_name="Trần Thị Bích")


def organisation() -> Account:
    return AccountFactory.create(organisation=True)


def personas(world: Any) -> dict[str, Account | None]:
    """Everyone who must not reach citizen An's dossiers through the applicant's pages."""
    return {
        "second citizen": other_citizen(),
        "organisation": organisation(),
        "anonymous": None,
        "official of an unrelated unit (Bình, Bãi Cháy)": world.binh,
    }

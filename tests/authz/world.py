"""The authorisation matrix's data: every persona of ``core.access_policy.PERSONAS`` as a real account
with a session and an API token, and the objects whose ids fill the addresses' parameters.

Built once per test process, in the outer transaction of the shared data (the project ``conftest.py``,
``authz_world``): the tests read only the primitive values kept here (codes, ids, session keys, token
texts), never model instances, so nothing of one test's request leaks into the next.
"""

from __future__ import annotations

import atexit
import importlib
import shutil
import tempfile
from dataclasses import dataclass, field
from typing import Any

import time_machine
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
from django.core.files.base import ContentFile
from django.test import override_settings

from motcua.accounts.models import Account
from motcua.accounts.tests.factories import AccountFactory
from motcua.catalog.models import ServiceLevel
from motcua.core.access_policy import PERSONAS
from motcua.core.tests.upload_files import pdf_bytes
from motcua.datastore.services import stored_document_upload
from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import DossierResultDocument, IntakeNoticeKind
from motcua.dossiers.tests.factories import APPLICANT, MONDAY_0900, World, dossier_at, world_build
from motcua.feedback import services as feedback_services
from motcua.identity.services import api_token_create
from motcua.org.models import Role
from motcua.org.tests.factories import OfficialFactory, UserFactory
from motcua.payments.models import PaymentMethod
from motcua.payments.services import payable_fees, payment_counter_record
from motcua.portal.services import draft_start
from motcua.signing.services import batch_create


@dataclass
class AuthzWorld:
    """What the matrix needs, as plain values (see the module docstring)."""

    users: dict[str, int] = field(default_factory=dict)  # persona → account pk (no anonymous)
    sessions: dict[str, str] = field(default_factory=dict)  # persona → session key
    tokens: dict[str, str] = field(default_factory=dict)  # persona → API token text
    values: dict[str, Any] = field(default_factory=dict)  # named ids and codes (``authz_world_build``)


_world: AuthzWorld | None = None


def authz_world() -> AuthzWorld:
    assert _world is not None, "the authz_world shared data set is not loaded"
    return _world


def _official(world: World, key: str, grants: list[tuple[Any, str]]) -> Account:
    official = OfficialFactory.create(
        user=UserFactory(username=f"{key}.authz"),
        full_name=PERSONAS[key],
        assignments=[(unit, Role(role)) for unit, role in grants],
    )
    return official.user  # type: ignore[no-any-return]


def _session(user: Account) -> str:
    """A stored session signed in as ``user`` (what ``Client.force_login`` makes), reused by every test."""
    engine = importlib.import_module(settings.SESSION_ENGINE)
    store = engine.SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    # The first backend that can read a user back (as ``Client.force_login`` picks it).
    store[BACKEND_SESSION_KEY] = next(
        path for path in settings.AUTHENTICATION_BACKENDS if hasattr(load_backend(path), "get_user")
    )
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return str(store.session_key)


def authz_world_load() -> None:
    """Build the data set (the shared-data loader of ``conftest.py``)."""
    global _world
    # The files of the data set (a scan, a result, a stored document) in a folder of their own.
    media = tempfile.mkdtemp(prefix="motcua-authz-")
    atexit.register(shutil.rmtree, media, ignore_errors=True)
    with override_settings(MEDIA_ROOT=media), time_machine.travel(MONDAY_0900, tick=False):
        values, users = _objects()
    values["media_root"] = media
    data = AuthzWorld(values=values)
    for key, user in users.items():
        data.users[key] = user.pk
        data.sessions[key] = _session(user)
        data.tokens[key] = api_token_create(user=user, name="authz")[1]
    _world = data


def _objects() -> tuple[dict[str, Any], dict[str, Account]]:
    world = world_build()
    # Full online (toàn trình): the online submission pages take it (a draft of An's below).
    type(world.procedure).objects.filter(pk=world.procedure.pk).update(service_level=ServiceLevel.FULL_ONLINE)
    world.procedure.refresh_from_db()
    users: dict[str, Account] = {
        "citizen": world.an,
        "citizen_other": AccountFactory.create(citizen=True, full_name="Trần Thị Bích"),
        "organisation": AccountFactory.create(organisation=True),
        "account_no_role": world.khach,
        "reception_a": world.lan,
        "specialist_a": world.minh,
        "leader_a": world.hung,
        "clerk_a": world.hoa,
        "official_b": world.binh,
        "specialist_dept": world.mai,
        "leader_dept": world.cuong,
    }
    users["division_head_a"] = _official(world, "division_head_a", [(world.commune_a, Role.DIVISION_HEAD)])
    users["supervisor_a"] = _official(world, "supervisor_a", [(world.centre_a, Role.SUPERVISOR)])
    users["unit_admin_a"] = _official(world, "unit_admin_a", [(world.commune_a, Role.UNIT_ADMIN)])
    users["unit_admin_dept"] = _official(world, "unit_admin_dept", [(world.department, Role.UNIT_ADMIN)])
    users["report_viewer"] = _official(world, "report_viewer", [(world.province, Role.REPORT_VIEWER)])
    users["province_admin"] = _official(world, "province_admin", [(world.province, Role.PROVINCE_ADMIN)])
    users["superuser"] = UserFactory(username="superuser.authz", is_staff=True, is_superuser=True)
    missing = set(PERSONAS) - {"anonymous"} - set(users)
    assert not missing, missing

    # An's dossiers at unit A (received at centre A, handled by commune A).
    open_ = dossier_at(world, "appraisal")  # with Minh
    supplement = dossier_at(world, "supplement")
    component = supplement.components.order_by("order").first()
    assert component is not None
    component.file.save("cccd-cua-an.pdf", ContentFile(pdf_bytes()), save=True)
    returned = dossier_at(world, "returned")
    result = DossierResultDocument.objects.get(dossier=returned)
    payment_dossier = dossier_at(world, "payment")

    receipt = payment_counter_record(
        actor=world.lan,
        dossier=payment_dossier,
        method=PaymentMethod.CARD,
        transaction_reference="POS-AUTHZ-1",
        amount_vnd=sum(fee.amount_vnd for fee in payable_fees(payment_dossier)),
    )
    feedback = feedback_services.feedback_create(
        actor=world.an, dossier=supplement, kind="phan_anh", content="Nội dung riêng của An"
    )
    notice = dossier_services.intake_notice_issue(
        actor=world.lan,
        receiving_unit=world.centre_a,
        procedure=world.procedure,
        applicant=APPLICANT,
        kind=IntakeNoticeKind.SUPPLEMENT,
        items=[dossier_services.RequestedItem("Bản sao giấy khai sinh", "Thiếu")],
    )

    draft = draft_start(owner=world.an, procedure=world.procedure)
    stored = stored_document_upload(
        owner=world.an,
        name="Căn cước công dân",
        file=ContentFile(pdf_bytes(), name="cccd.pdf"),
    )
    token, _raw = api_token_create(user=world.lan, name="Lan's own")

    # Hùng's signing batch (his approved dossier waits for his signature).
    signing = dossier_at(world, "approval")
    signing = dossier_services.dossier_approve(
        actor=world.hung, dossier=signing, row_version=signing.row_version
    )
    batch_id = batch_create(actor=world.hung, dossiers=[signing]).pk
    values = {
        "code": open_.code,
        "code_supplement": supplement.code,
        "code_returned": returned.code,
        "code_payment": payment_dossier.code,
        "component_id": component.pk,
        "document_id": result.pk,
        "receipt_id": receipt.pk,
        "reference": receipt.payment.reference,
        "feedback_id": feedback.pk,
        "notice_id": notice.pk,
        "draft_id": draft.pk,
        "procedure_code": world.procedure.code,
        "stored_id": stored.pk,
        "token_id": token.pk,
        "batch_id": batch_id,
        "agency_code": world.commune_a.agency_code,
        "centre_code": world.centre_a.agency_code,
        "receipt_verification": str(receipt.verification_code),
    }
    return values, users

"""Writes of the citizen portal — the national-identity sign-in (đăng nhập bằng tài khoản định danh
điện tử) and the online submission wizard (nộp hồ sơ trực tuyến, docs/domain.md §15).

Sign-in: see ``applicant_sign_in``. Online submission: each step saves the draft
(``SubmissionDraft``), so the applicant can stop and resume; the last one hands everything to the
engine's ``dossier_submit_online`` with the draft's key as the idempotency key, so a double click, a
retry or two concurrent posts give one dossier. Stored documents reused instead of an upload are
counted (``datastore.document_reuses_record``) in the same transaction.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from motcua.accounts import identity_numbers
from motcua.accounts.models import Account, AccountKind
from motcua.accounts.services import citizen_account_ensure, organisation_account_ensure
from motcua.catalog.models import Procedure
from motcua.catalog.selectors import procedure_online_eligibility
from motcua.core.storage import display_filename, sha256_of
from motcua.core.uploads import UploadRefused, upload_check
from motcua.datastore.errors import DatastoreInvalid
from motcua.datastore.models import StoredDocument
from motcua.datastore.selectors import stored_documents_matching
from motcua.datastore.services import Reuse, document_reuses_record, upload_limit_check
from motcua.dossiers.errors import DossierInvalid
from motcua.dossiers.models import ApplicantKind, Dossier
from motcua.dossiers.services import dossiers_link_to_applicant
from motcua.dossiers.services.inputs import ApplicantData, ComponentData
from motcua.dossiers.services.receipt import applicant_clean, dossier_submit_online
from motcua.org.models import Unit
from motcua.portal import form_schema
from motcua.portal.models import DraftComponent, DraftStep, FormDefinition, SubmissionDraft
from motcua.portal.selectors import applicant_prefill, receiving_units
from motcua.portal.vneid import ProviderError, ProviderIdentity

MSG_OTHER_ACCOUNT = gettext_lazy(
    "Số định danh (mã số thuế) này thuộc một tài khoản cán bộ hoặc tài khoản dịch vụ, không đăng nhập được "
    "bằng tài khoản định danh điện tử ở trang dành cho công dân."
)
MSG_INACTIVE = gettext_lazy(
    "Tài khoản của bạn trên hệ thống đang bị khóa. Vui lòng liên hệ Trung tâm Phục vụ hành chính công."
)
FIELD_LABELS = {
    "personal_id": gettext_lazy("Số định danh cá nhân"),
    "tax_code": gettext_lazy("Mã số thuế"),
    "full_name": gettext_lazy("Họ và tên"),
    "name": gettext_lazy("Tên tổ chức"),
    "address": gettext_lazy("Địa chỉ"),
    "birth_date": gettext_lazy("Ngày sinh"),
}


def _contact(clean: Callable[[str], str], value: str) -> str:
    """A contact datum as the accounts app keeps it, or "" when it is malformed: a wrong phone number
    from the provider must not stop a citizen from signing in."""
    try:
        return clean(value) if value else ""
    except ValidationError:
        return ""


@transaction.atomic
def applicant_sign_in(*, identity: ProviderIdentity) -> Account:
    """The account of the person (organisation) the identity provider vouched for, created on the first
    sign-in, updated with the provider's data on the next; their counter dossiers linked to it.

    An official's account, a service account or a locked account is never signed into this way:
    ``ProviderError`` (status 403), nothing written. Malformed claims: ``ProviderError`` naming the datum.
    """
    kind, key_field, key = (
        (AccountKind.ORGANISATION, "tax_code", identity.tax_code)
        if identity.is_organisation
        else (AccountKind.CITIZEN, "personal_id", identity.personal_id)
    )
    # Checked here, before anything is written, so that the page can say why (and log nothing in).
    if Account.objects.filter(Q(**{key_field: key}) | Q(username=key)).exclude(kind=kind).exists():
        raise ProviderError(MSG_OTHER_ACCOUNT, status=403, code="not_applicant")
    phone = _contact(identity_numbers.phone_clean, identity.phone)
    email = _contact(identity_numbers.email_clean, identity.email)
    try:
        if identity.is_organisation:
            account = organisation_account_ensure(
                tax_code=identity.tax_code,
                name=identity.name,
                phone=phone,
                email=email,
                address=identity.address,
            )
        else:
            account = citizen_account_ensure(
                personal_id=identity.personal_id,
                full_name=identity.name,
                phone=phone,
                email=email,
                birth_date=identity.birth_date,
                address=identity.address,
            )
    except ValidationError as exc:
        problems = "; ".join(
            f"{FIELD_LABELS.get(field, field)}: {' '.join(messages)}"
            for field, messages in exc.message_dict.items()
        )
        raise ProviderError(
            gettext("Thông tin định danh nhận được không hợp lệ — %(problems)s") % {"problems": problems},
            status=400,
            code="invalid_identity",
        ) from exc
    if not account.is_active:
        # Raised inside the transaction: the refreshed name, phone… are rolled back with it.
        raise ProviderError(MSG_INACTIVE, status=403, code="inactive")
    dossiers_link_to_applicant(account=account)
    return account


class SubmissionInvalid(Exception):
    """Bad input to a wizard step: Vietnamese messages per field; the draft was not changed."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class SubmissionClosed(Exception):
    """The procedure does not take online submissions (the reason is the eligibility's, shown as is)."""


def _expiry(now: datetime) -> datetime:
    return now + timedelta(days=settings.MOTCUA_DRAFT_EXPIRY_DAYS)


def _editable(draft: SubmissionDraft) -> None:
    if draft.dossier_id is not None:
        raise SubmissionInvalid({"draft": "Hồ sơ này đã được nộp; không sửa được nữa."})


def draft_start(*, owner: Account, procedure: Procedure, renewal_of: int | None = None) -> SubmissionDraft:
    """Start (or resume) the owner's draft for ``procedure`` — the definition in force is copied into it.

    ``renewal_of``: one of the owner's stored documents this submission renews (the expiry reminder's
    one click): the request is prefilled from it and every component of the same type as one of the
    owner's stored documents takes that document. ``SubmissionClosed`` when the procedure does not
    take online submissions.
    """
    eligibility = procedure_online_eligibility(procedure)
    if not eligibility.allowed:
        raise SubmissionClosed(eligibility.reason)
    now = timezone.now()
    existing = (
        SubmissionDraft.objects.filter(
            owner=owner, procedure=procedure, dossier__isnull=True, expires_at__gt=now
        )
        .order_by("-updated_at")
        .first()
    )
    if existing is not None:
        return existing
    definition = FormDefinition.objects.filter(procedure=procedure).first()
    prefill = applicant_prefill(owner)
    renewed = (
        StoredDocument.objects.filter(owner=owner, pk=renewal_of).first() if renewal_of is not None else None
    )
    answers: dict[str, Any] = {}
    if renewed is not None and definition is None:
        until = f", hết hiệu lực ngày {renewed.valid_until:%d/%m/%Y}" if renewed.valid_until else ""
        answers["noi_dung"] = f"Đề nghị gia hạn, cấp lại: {renewed.name}{until}."[:2000]
    with transaction.atomic():
        draft = SubmissionDraft.objects.create(
            owner=owner,
            procedure=procedure,
            applicant=prefill,
            prefilled=prefill,
            form_version=definition.version if definition else 0,
            form_schema=definition.schema if definition else form_schema.GENERIC_SCHEMA,
            form_ui=definition.ui if definition else form_schema.GENERIC_UI,
            answers=answers,
            expires_at=_expiry(now),
        )
        if renewed is not None:
            documents = list(procedure.documents.all())
            offers = stored_documents_matching(
                owner=owner, names=[d.name for d in documents], today=timezone.localdate()
            )
            DraftComponent.objects.bulk_create(
                DraftComponent(
                    draft=draft,
                    document=d,
                    stored_document=offers[d.name][0],
                    file_name=display_filename(offers[d.name][0].name, offers[d.name][0].file.name),
                )
                for d in documents
                if offers.get(d.name)
            )
    return draft


def _touch(draft: SubmissionDraft, *, step: str, fields: list[str]) -> None:
    order = list(DraftStep.values)
    if order.index(step) > order.index(draft.step):
        draft.step = step
    draft.expires_at = _expiry(timezone.now())
    draft.save(update_fields=[*fields, "step", "expires_at", "updated_at"])


def draft_applicant_save(*, draft: SubmissionDraft, data: QueryDict) -> None:
    """Applicant step: who submits (checked as every channel checks it) and the receiving centre."""
    _editable(draft)
    kind = data.get("kind", ApplicantKind.PERSON)
    birth_raw = (data.get("birth_date") or "").strip()
    errors: dict[str, str] = {}
    birth: date | None = None
    if birth_raw:
        try:
            birth = date.fromisoformat(birth_raw)
        except ValueError:
            errors["birth_date"] = "Ngày sinh không đúng định dạng (ngày/tháng/năm)."
    applicant = ApplicantData(
        kind=kind,
        name=data.get("name", ""),
        id_number=data.get("id_number", ""),
        birth_date=birth,
        phone=data.get("phone", ""),
        email=data.get("email", ""),
        address=data.get("address", ""),
    )
    try:
        cleaned = applicant_clean(applicant)
    except DossierInvalid as exc:
        errors |= {k.removeprefix("applicant_"): v for k, v in exc.errors.items()}
        cleaned = {}
    if not (cleaned.get("applicant_email") or cleaned.get("applicant_phone")) and not errors:
        errors["email"] = "Vui lòng nhập thư điện tử hoặc số điện thoại để nhận thông báo về hồ sơ."
    unit: Unit | None = None
    unit_raw = data.get("receiving_unit", "")
    if unit_raw.isdigit():
        unit = receiving_units().filter(pk=int(unit_raw)).first()
    if unit is None:
        errors["receiving_unit"] = (
            "Vui lòng chọn nơi tiếp nhận hồ sơ (một Trung tâm Phục vụ hành chính công)."
        )
    if errors:
        raise SubmissionInvalid(errors)
    birth_date = cleaned["applicant_birth_date"]
    draft.applicant = {
        "kind": cleaned["applicant_kind"],
        "name": cleaned["applicant_name"],
        "id_number": cleaned["applicant_id_number"],
        "birth_date": birth_date.isoformat() if birth_date else "",
        "phone": cleaned["applicant_phone"],
        "email": cleaned["applicant_email"],
        "address": cleaned["applicant_address"],
    }
    # A value the applicant changed is no longer the one filled in for them.
    draft.prefilled = {k: v for k, v in draft.prefilled.items() if draft.applicant.get(k) == v}
    draft.receiving_unit = unit
    _touch(draft, step=DraftStep.FORM, fields=["applicant", "prefilled", "receiving_unit"])


def draft_answers_save(*, draft: SubmissionDraft, data: QueryDict) -> None:
    """Form step: the answers, validated against the draft's own copy of the form definition."""
    _editable(draft)
    answers, errors = form_schema.answers_from_post(draft.form_schema, data)
    errors = form_schema.answers_validate(draft.form_schema, draft.form_ui, answers) | errors
    if errors:
        raise SubmissionInvalid(errors)
    draft.answers = answers
    _touch(draft, step=DraftStep.DOCUMENTS, fields=["answers"])


def _document(draft: SubmissionDraft, document_id: int) -> Any:
    document = draft.procedure.documents.filter(pk=document_id).first()
    if document is None:
        raise SubmissionInvalid({"document": "Thành phần hồ sơ không thuộc thủ tục này."})
    return document


def draft_component_upload(*, draft: SubmissionDraft, document_id: int, file: File | None) -> DraftComponent:
    """Documents step: attach a scan to one component (PDF, JPEG, PNG judged from the content)."""
    _editable(draft)
    document = _document(draft, document_id)
    field = f"doc_{document.pk}"
    if file is None:
        raise SubmissionInvalid({field: "Vui lòng chọn tệp PDF, JPEG hoặc PNG."})
    try:
        upload_limit_check(file, field=field)
        checked = upload_check(file)
    except DatastoreInvalid as exc:
        raise SubmissionInvalid(exc.errors) from None
    except UploadRefused as exc:
        raise SubmissionInvalid({field: exc.message}) from None
    with transaction.atomic():
        component, _ = DraftComponent.objects.select_for_update().get_or_create(
            draft=draft, document=document
        )
        old = component.file.name if component.file else ""
        component.stored_document = None
        component.file_name = os.path.basename(checked.name or "tep")[:255]
        # Recorded before storing: the stored name derives from it (core.storage), and it is checked
        # when the file is read back.
        checked.seek(0)
        component.file_sha256 = sha256_of(checked)
        checked.seek(0)
        component.file.save(component.file_name, checked, save=False)
        component.save()
        _touch(draft, step=DraftStep.DOCUMENTS, fields=[])
    if old:
        storage = component.file.storage
        transaction.on_commit(lambda: storage.delete(old))
    return component


def draft_component_reuse(
    *, draft: SubmissionDraft, document_id: int, stored_document_id: int
) -> DraftComponent:
    """Documents step, "Dùng lại": the component takes a document of the owner's data store."""
    _editable(draft)
    document = _document(draft, document_id)
    stored = StoredDocument.objects.filter(owner=draft.owner, pk=stored_document_id).exclude(file="").first()
    if stored is None:
        raise SubmissionInvalid(
            {f"doc_{document.pk}": "Không tìm thấy giấy tờ này trong kho dữ liệu của Ông/Bà."}
        )
    with transaction.atomic():
        component, _ = DraftComponent.objects.select_for_update().get_or_create(
            draft=draft, document=document
        )
        old = component.file.name if component.file else ""
        component.file = None
        component.stored_document = stored
        component.file_name = display_filename(stored.name, stored.file.name)
        component.save()
        _touch(draft, step=DraftStep.DOCUMENTS, fields=[])
    if old:
        storage = stored.file.storage
        transaction.on_commit(lambda: storage.delete(old))
    return component


def draft_component_clear(*, draft: SubmissionDraft, document_id: int) -> None:
    """Remove what was attached to a component."""
    _editable(draft)
    component = DraftComponent.objects.filter(draft=draft, document_id=document_id).first()
    if component is None:
        return
    old = component.file.name if component.file else ""
    storage = component.file.storage
    component.delete()
    if old:
        transaction.on_commit(lambda: storage.delete(old))


def draft_documents_check(*, draft: SubmissionDraft) -> None:
    """Every required component has a file or a reused document (else the review is not reached)."""
    given = {c.document_id for c in draft.components.all() if c.file or c.stored_document_id}
    errors = {
        f"doc_{doc.pk}": f"Vui lòng tải lên hoặc dùng lại giấy tờ: {doc.name}"
        for doc in draft.procedure.documents.all()
        if doc.required and doc.pk not in given
    }
    if errors:
        raise SubmissionInvalid(errors)
    _touch(draft, step=DraftStep.REVIEW, fields=[])


@dataclass(frozen=True)
class Submitted:
    dossier: Dossier
    reused: int


def draft_submit(*, draft_id: int, owner: Account) -> Submitted:
    """Submit the draft: one dossier (status 1) however often it is called; the reuses are counted.

    The draft row is locked first, so concurrent posts queue and the later ones find the dossier the
    first created; the engine's idempotency key (the draft's ``key``) guards the rest.
    """
    with transaction.atomic():
        draft = (
            SubmissionDraft.objects.select_for_update(of=("self",))
            .select_related("procedure", "receiving_unit")
            .get(owner=owner, pk=draft_id)
        )
        if draft.dossier_id is not None:
            return Submitted(dossier=Dossier.objects.get(pk=draft.dossier_id), reused=0)
        eligibility = procedure_online_eligibility(draft.procedure)
        if not eligibility.allowed:
            raise SubmissionClosed(eligibility.reason)
        if draft.receiving_unit is None or not draft.applicant.get("name"):
            raise SubmissionInvalid({"applicant": "Vui lòng hoàn thành bước Người nộp."})
        draft_documents_check(draft=draft)
        errors = form_schema.answers_validate(draft.form_schema, draft.form_ui, draft.answers)
        if errors:
            raise SubmissionInvalid(errors)
        components = list(draft.components.select_related("document", "stored_document"))
        reuses = [
            Reuse(document=c.stored_document, component_name=c.document.name)
            for c in components
            if c.stored_document is not None
        ]
        opened = []
        items = []
        for c in components:
            source = c.stored_document.file if c.stored_document is not None else c.file
            if not source:
                continue
            source.open("rb")
            opened.append(source)
            items.append(ComponentData(document_id=c.document_id, file=File(source, name=c.file_name)))
        a = draft.applicant
        try:
            dossier = dossier_submit_online(
                applicant_user=owner,
                procedure=draft.procedure,
                receiving_unit=draft.receiving_unit,
                applicant=ApplicantData(
                    kind=a.get("kind", ApplicantKind.PERSON),
                    name=a.get("name", ""),
                    id_number=a.get("id_number", ""),
                    birth_date=date.fromisoformat(a["birth_date"]) if a.get("birth_date") else None,
                    phone=a.get("phone", ""),
                    email=a.get("email", ""),
                    address=a.get("address", ""),
                ),
                idempotency_key=f"draft-{draft.key}",
                components=items,
                summary=form_schema.answers_summary(draft.form_schema, draft.form_ui, draft.answers),
            )
        except DossierInvalid as exc:
            raise SubmissionInvalid(exc.errors) from None
        finally:
            for source in opened:
                source.close()
        document_reuses_record(dossier=dossier, reuses=reuses)
        draft.dossier = dossier
        draft.submitted_at = timezone.now()
        draft.save(update_fields=["dossier", "submitted_at", "updated_at"])
        # The dossier holds its own copies now: the draft's scans are not kept twice.
        uploaded = [(c.file.storage, c.file.name) for c in components if c.file]
        DraftComponent.objects.filter(draft=draft).update(file="")
        for storage, name in uploaded:
            transaction.on_commit(lambda s=storage, n=name: s.delete(n))  # type: ignore[misc]
    return Submitted(dossier=dossier, reused=len(reuses))


def draft_delete(*, owner: Account, draft_id: int) -> None:
    """Discard one of the owner's unsubmitted drafts and its uploads."""
    with transaction.atomic():
        draft = SubmissionDraft.objects.select_for_update().get(
            owner=owner, pk=draft_id, dossier__isnull=True
        )
        names = [(c.file.storage, c.file.name) for c in draft.components.all() if c.file]
        draft.delete()
    for storage, name in names:
        transaction.on_commit(lambda s=storage, n=name: s.delete(n))  # type: ignore[misc]


def drafts_expired_delete(*, now: datetime) -> int:
    """Remove unsubmitted drafts past their expiry (``MOTCUA_DRAFT_EXPIRY_DAYS`` without a change)."""
    expired = list(
        SubmissionDraft.objects.filter(dossier__isnull=True, expires_at__lte=now).values_list(
            "pk", "owner_id"
        )
    )
    for pk, owner_id in expired:
        draft_delete(owner=Account(pk=owner_id), draft_id=pk)
    return len(expired)


def form_definitions_load(*, path: Path) -> int:
    """Load the online forms of ``path`` (``<code>.json``: procedure, schema, ui); idempotent.

    A definition whose content changed gets the next version; one for a procedure not in the
    catalogue is skipped. An invalid definition stops the load with its file and reasons.
    """
    loaded = 0
    for file in sorted(path.glob("*.json")):
        data = json.loads(file.read_text(encoding="utf-8"))
        problems = form_schema.schema_errors(data.get("schema"), data.get("ui", {}))
        if problems:
            raise ValueError(f"{file.name}: {' '.join(problems)}")
        procedure = Procedure.objects.filter(code=data.get("procedure")).first()
        if procedure is None:
            continue
        with transaction.atomic():
            definition = FormDefinition.objects.select_for_update().filter(procedure=procedure).first()
            if definition is None:
                FormDefinition.objects.create(
                    procedure=procedure, schema=data["schema"], ui=data.get("ui", {})
                )
            elif definition.schema != data["schema"] or definition.ui != data.get("ui", {}):
                definition.schema, definition.ui = data["schema"], data.get("ui", {})
                definition.version += 1
                definition.save()
        loaded += 1
    return loaded

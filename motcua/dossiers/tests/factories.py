"""Test worlds for the dossier engine, shared with UI, API and browser tests.

``world_build()`` creates a small province with named personas and a commune-level procedure whose
internal process has the five Quảng Ninh steps (docs/domain.md §3.2)::

    world = world_build()
    with time_machine.travel(MONDAY_0900):
        d = dossier_receive_at_counter(world)                     # Lan receives at Phường Hạ Long
        d = dossier_advance(world, d, to="approval")             # Minh appraised, now with Hùng

Personas (``world.persona(key)`` gives the description):

=========== ====================================================== ======================================
key         who                                                    roles
=========== ====================================================== ======================================
lan         Lan (tiếp nhận, TT PVHCC phường Hạ Long)               RECEPTION @ centre A
minh        Minh (chuyên viên, UBND phường Hạ Long)                SPECIALIST @ commune A
tam         Tâm (chuyên viên thứ hai, UBND phường Hạ Long)         SPECIALIST @ commune A
hung        Hùng (lãnh đạo, UBND phường Hạ Long)                   LEADER @ commune A (reaches centre A)
hoa         Hoa (văn thư, UBND phường Hạ Long)                     CLERK @ commune A
binh        Bình (outsider: mọi vai trò ở phường Bãi Cháy)         all processing roles @ commune/centre B
ngoc        Ngọc (tiếp nhận, TT PVHCC tỉnh)                        RECEPTION @ province centre
mai         Mai (chuyên viên Sở Thử Nghiệm)                        SPECIALIST @ department
cuong       Cường (lãnh đạo Sở Thử Nghiệm)                         LEADER @ department
an          Nguyễn Văn An (công dân, tài khoản VNeID)              none — the applicant
khach       Khách (người dùng đã đăng nhập, không vai trò)         none
=========== ====================================================== ======================================
"""

from __future__ import annotations

import base64
import itertools
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.accounts.models import Account
from motcua.catalog.models import (
    Level,
    Procedure,
    ProcedureDocument,
    ProcedureFee,
    ProcessDefinition,
    ProcessSource,
    ProcessStep,
)
from motcua.core.tests.upload_files import pdf_bytes
from motcua.dossiers import services
from motcua.dossiers.models import Channel, Dossier
from motcua.org.models import Official, Role, Unit, UnitKind
from motcua.org.tests.factories import OfficialFactory, UserFactory
from motcua.org.tests.factories import UnitFactory as _UnitFactory
from motcua.worktime.models import TimeUnit


def UnitFactory(**kwargs: Any) -> Unit:
    """``org.tests.factories.UnitFactory`` typed as returning a ``Unit``."""
    return cast(Unit, _UnitFactory(**kwargs))


VN = ZoneInfo("Asia/Ho_Chi_Minh")


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An aware local (Asia/Ho_Chi_Minh) datetime — for time_machine.travel and assertions."""
    return datetime(year, month, day, hour, minute, tzinfo=VN)


# Monday 2026-03-02 09:00 local: an ordinary working week (no holiday until 30/4).
MONDAY_0900 = vn(2026, 3, 2, 9)

FIVE_STEPS: tuple[tuple[str, str, str, str, str], ...] = (
    # name, unit kind, role, amount, unit — budgets sum to the 3-working-day total.
    ("Tiếp nhận hồ sơ", UnitKind.COMMUNE_CENTRE, Role.RECEPTION, "0.5", TimeUnit.WORKING_DAYS),
    ("Thẩm định", UnitKind.COMMUNE_COMMITTEE, Role.SPECIALIST, "1", TimeUnit.WORKING_DAYS),
    ("Phê duyệt", UnitKind.COMMUNE_COMMITTEE, Role.LEADER, "1", TimeUnit.WORKING_DAYS),
    ("Ký số", UnitKind.COMMUNE_COMMITTEE, Role.CLERK, "0.5", TimeUnit.WORKING_DAYS),
    ("Trả kết quả", UnitKind.COMMUNE_CENTRE, Role.RECEPTION, "0", "not_counted"),
)

_codes = itertools.count(1)


def procedure_with_process(
    *,
    level: str = Level.COMMUNE,
    total: str = "3",
    total_unit: str = TimeUnit.WORKING_DAYS,
    steps: tuple[tuple[str, str, str, str, str], ...] = FIVE_STEPS,
    implementing_agency: str = "",
    name: str = "Cấp giấy phép thử nghiệm",
    fee_vnd: int | None = 50_000,
    timed: bool = True,
    documents: bool = True,
) -> Procedure:
    """A procedure with two documents (one required), one fee and a current process version.

    ``timed=False``: the catalogue publishes no processing time (the process and its steps have no
    budgets, as the importer derives them). ``documents=False``: the catalogue lists no documents.
    """
    code = f"9.{next(_codes):06d}"
    procedure = Procedure.objects.create(
        code=code,
        name=name,
        level=level,
        implementing_agency=implementing_agency,
        processing_time_amount=Decimal(total) if timed else None,
        processing_time_unit=total_unit if timed else "",
        content_hash=f"test-{code}",
    )
    if documents:
        ProcedureDocument.objects.create(
            procedure=procedure, order=1, name="Đơn đề nghị (mẫu 01)", copies="01 bản chính"
        )
        ProcedureDocument.objects.create(
            procedure=procedure,
            order=2,
            name="Giấy tờ chứng minh (nếu có)",
            copies="01 bản sao",
            required=False,
        )
    if fee_vnd is not None:
        ProcedureFee.objects.create(
            procedure=procedure, order=1, name="Lệ phí cấp giấy phép", amount_vnd=fee_vnd
        )
    process = ProcessDefinition.objects.create(
        procedure=procedure,
        version=1,
        source=ProcessSource.MANUAL,
        total_amount=Decimal(total) if timed else None,
        total_unit=total_unit if timed else "",
        content_hash=f"test-process-{code}",
    )
    for order, (step_name, kind, role, amount, unit) in enumerate(steps, start=1):
        ProcessStep.objects.create(
            process=process,
            order=order,
            name=step_name,
            actor_unit_kind=kind,
            actor_role=role,
            duration_amount=Decimal(amount) if timed else None,
            duration_unit=unit if timed else "",
        )
    return procedure


@dataclass
class World:
    """Units, personas (users) and a procedure; see the module docstring."""

    province: Unit
    province_centre: Unit
    department: Unit
    commune_a: Unit
    centre_a: Unit
    commune_b: Unit
    centre_b: Unit
    procedure: Procedure
    province_procedure: Procedure
    users: dict[str, Any]
    descriptions: dict[str, str] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)

    def persona(self, key: str) -> str:
        return self.descriptions[key]


def _official(username: str, full_name: str, grants: list[tuple[Unit, str]]) -> Account:
    official = cast(
        Official,
        OfficialFactory(
            user=UserFactory(username=username, full_name=full_name),
            full_name=full_name,
            assignments=[(unit, Role(role)) for unit, role in grants],
        ),
    )
    return official.user


def world_build() -> World:
    """Create the test province (fresh units, procedure and personas each call)."""
    province = UnitFactory(province_committee=True)
    province_centre = UnitFactory(province_centre=True, parent=province)
    department = UnitFactory(department=True, parent=province, name="Sở Thử Nghiệm", short_name="Sở TN")
    commune_a = UnitFactory(
        name="Ủy ban nhân dân phường Hạ Long", short_name="UBND phường Hạ Long", parent=province
    )
    centre_a = UnitFactory(
        commune_centre=True,
        parent=commune_a,
        name="Trung tâm Phục vụ hành chính công phường Hạ Long",
        short_name="TT PVHCC phường Hạ Long",
    )
    commune_b = UnitFactory(
        name="Ủy ban nhân dân phường Bãi Cháy", short_name="UBND phường Bãi Cháy", parent=province
    )
    centre_b = UnitFactory(
        commune_centre=True,
        parent=commune_b,
        name="Trung tâm Phục vụ hành chính công phường Bãi Cháy",
        short_name="TT PVHCC phường Bãi Cháy",
    )
    specs: dict[str, tuple[str, str, list[tuple[Unit, str]]]] = {
        "lan": ("Nguyễn Thị Lan", "Lan (tiếp nhận, TT PVHCC phường Hạ Long)", [(centre_a, Role.RECEPTION)]),
        "minh": ("Trần Văn Minh", "Minh (chuyên viên, UBND phường Hạ Long)", [(commune_a, Role.SPECIALIST)]),
        "tam": (
            "Lê Thị Tâm",
            "Tâm (chuyên viên thứ hai, UBND phường Hạ Long)",
            [(commune_a, Role.SPECIALIST)],
        ),
        "hung": ("Vũ Văn Hùng", "Hùng (lãnh đạo, UBND phường Hạ Long)", [(commune_a, Role.LEADER)]),
        "hoa": ("Hoàng Thị Hoa", "Hoa (văn thư, UBND phường Hạ Long)", [(commune_a, Role.CLERK)]),
        "binh": (
            "Đào Văn Bình",
            "Bình (mọi vai trò ở phường Bãi Cháy — người ngoài đối với Hạ Long)",
            [
                (centre_b, Role.RECEPTION),
                (commune_b, Role.SPECIALIST),
                (commune_b, Role.LEADER),
                (commune_b, Role.CLERK),
                (commune_b, Role.DIVISION_HEAD),
            ],
        ),
        "ngoc": ("Đặng Thị Ngọc", "Ngọc (tiếp nhận, TT PVHCC tỉnh)", [(province_centre, Role.RECEPTION)]),
        "mai": ("Lê Thị Mai", "Mai (chuyên viên Sở Thử Nghiệm)", [(department, Role.SPECIALIST)]),
        "cuong": ("Ngô Văn Cường", "Cường (lãnh đạo Sở Thử Nghiệm)", [(department, Role.LEADER)]),
    }
    users: dict[str, Any] = {}
    descriptions: dict[str, str] = {}
    suffix = next(_codes)
    for key, (full_name, description, grants) in specs.items():
        users[key] = _official(f"{key}.{suffix}", full_name, grants)
        descriptions[key] = description
    users["an"] = UserFactory(citizen=True, full_name="Nguyễn Văn An")
    descriptions["an"] = "Nguyễn Văn An (công dân, tài khoản VNeID)"
    users["khach"] = UserFactory(username=f"khach.{suffix}")
    descriptions["khach"] = "Khách (người dùng đã đăng nhập, không vai trò)"
    procedure = procedure_with_process()
    province_procedure = procedure_with_process(
        level=Level.PROVINCE,
        total="5",
        implementing_agency="Sở Thử Nghiệm tỉnh Quảng Ninh",
        name="Cấp chứng chỉ thử nghiệm cấp tỉnh",
        steps=(
            ("Tiếp nhận hồ sơ", UnitKind.PROVINCE_CENTRE, Role.RECEPTION, "0.5", TimeUnit.WORKING_DAYS),
            ("Thẩm định", UnitKind.DEPARTMENT, Role.SPECIALIST, "3", TimeUnit.WORKING_DAYS),
            ("Phê duyệt", UnitKind.DEPARTMENT, Role.LEADER, "1", TimeUnit.WORKING_DAYS),
            ("Ký số", UnitKind.DEPARTMENT, Role.CLERK, "0.5", TimeUnit.WORKING_DAYS),
            ("Trả kết quả", UnitKind.PROVINCE_CENTRE, Role.RECEPTION, "0", "not_counted"),
        ),
    )
    return World(
        province=province,
        province_centre=province_centre,
        department=department,
        commune_a=commune_a,
        centre_a=centre_a,
        commune_b=commune_b,
        centre_b=centre_b,
        procedure=procedure,
        province_procedure=province_procedure,
        users=users,
        descriptions=descriptions,
    )


APPLICANT = services.ApplicantData(
    name="Nguyễn Văn An",
    id_number="022090001234",
    phone="0912345678",
    email="an@example.test",
    address="Tổ 1, khu 2, phường Hạ Long, tỉnh Quảng Ninh",
)


def complete_components(procedure: Procedure) -> list[services.ComponentData]:
    """Every required catalogue document of ``procedure``, its paper presented: a complete dossier.

    A procedure that lists no documents gets one named component (a dossier holds at least one).
    """
    documents = [doc for doc in procedure.documents.all() if doc.required]
    if not procedure.documents.all():
        return [services.ComponentData(name="Đơn đề nghị", paper_presented=True)]
    return [services.ComponentData(document_id=doc.pk, paper_presented=True) for doc in documents] or [
        services.ComponentData(document_id=procedure.documents.all()[0].pk, paper_presented=True)
    ]


def dossier_receive_at_counter(world: World, *, by: Any = None, **kwargs: Any) -> Dossier:
    """Lan receives the world's procedure at centre A for An (step 1 active, clock started).

    The dossier is complete (``complete_components``) unless ``components`` are given.
    """
    kwargs.setdefault("receiving_unit", world.centre_a)
    kwargs.setdefault("procedure", world.procedure)
    kwargs.setdefault("components", complete_components(kwargs["procedure"]))
    kwargs.setdefault("applicant", APPLICANT)
    kwargs.setdefault("channel", Channel.COUNTER)
    kwargs.setdefault("applicant_user", world.an)
    return services.dossier_receive(actor=by or world.lan, **kwargs)


def dossier_submit(world: World, *, key: str = "key-1", **kwargs: Any) -> Dossier:
    """Citizen An submits the world's procedure online to centre A (status 1)."""
    kwargs.setdefault("receiving_unit", world.centre_a)
    kwargs.setdefault("procedure", world.procedure)
    kwargs.setdefault("components", complete_components(kwargs["procedure"]))
    kwargs.setdefault("applicant", APPLICANT)
    return services.dossier_submit_online(applicant_user=world.an, idempotency_key=key, **kwargs)


STAGES = ("appraisal", "approval", "signing", "signed", "result_ready", "returned")


RESULT_PDF = pdf_bytes(pages=2)


def result_pdf(name: str = "QD-123-2026.pdf", content: bytes = RESULT_PDF) -> SimpleUploadedFile:
    """The signed result file the signing step records (a valid two-page PDF)."""
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def result_b64(content: bytes = RESULT_PDF) -> dict[str, str]:
    """The same file as the JSON input of ``record_signature`` carries it (API, ``action_perform``)."""
    return {"result_file_base64": base64.b64encode(content).decode(), "result_file_name": "QD-1.pdf"}


def dossier_advance(world: World, dossier: Dossier, *, to: str) -> Dossier:
    """Drive a freshly received dossier of the five-step procedure through the services to a stage.

    ``appraisal`` (with Minh), ``approval`` (Hùng), ``signing`` (Hoa), ``signed`` (signature recorded),
    ``result_ready`` (back at centre A), ``returned``.
    """
    if to not in STAGES:
        raise ValueError(f"unknown stage {to!r}; one of {STAGES}")
    d = dossier
    target = STAGES.index(to)
    d = services.dossier_forward(actor=world.lan, dossier=d, row_version=d.row_version, assignee=world.minh)
    if target >= 1:
        d = services.dossier_forward(
            actor=world.minh, dossier=d, row_version=d.row_version, assignee=world.hung
        )
    if target >= 2:
        d = services.dossier_approve(actor=world.hung, dossier=d, row_version=d.row_version)
    if target >= 3:
        d = services.dossier_record_signature(
            actor=world.hoa,
            dossier=d,
            signer=world.hung,
            signature_reference="QD-123/2026",
            row_version=d.row_version,
            result_file=result_pdf(),
        )
    if target >= 4:
        d = services.dossier_mark_result_ready(actor=world.hoa, dossier=d, row_version=d.row_version)
    if target >= 5:
        d = services.dossier_return_result(actor=world.lan, dossier=d, row_version=d.row_version)
    return d


ALL_STAGES = (
    "submitted",
    "received",
    "pool",
    *STAGES,
    "supplement",
    "payment",
    "transferred",
)


def process_to_return(world: World) -> list[tuple[Account, str, dict[str, Any]]]:
    """The actions (actor, action name, arguments) that take a received dossier of ``world`` through
    its whole process to the return of the result."""
    return [
        (world.lan, "forward", {"assignee": world.minh.username}),
        (world.minh, "forward", {"assignee": world.hung.username}),
        (world.hung, "approve", {"note": "Đồng ý"}),
        (
            world.hoa,
            "record_signature",
            {"signer": world.hung.username, "signature_reference": "QD-1", **result_b64()},
        ),
        (world.hoa, "mark_result_ready", {}),
        # At the counter: an online return needs a verified electronic result (motcua/signing's tests).
        (world.lan, "return_result", {"method": "counter"}),
    ]


def dossier_at(world: World, stage: str) -> Dossier:
    """A dossier of the world's procedure at ``stage`` (one of ``ALL_STAGES``), built through the services.

    ``submitted``: online, status 1 · ``received``: at the counter, step 1 with Lan · ``pool``: at
    appraisal, left to the unit pool · ``appraisal`` … ``returned``: see ``dossier_advance`` ·
    ``supplement``: Minh asked for a supplement at appraisal · ``payment``: Minh asked for a fee ·
    ``transferred``: Minh sent it to the department (liên thông, Mai's pool).
    """
    if stage == "submitted":
        return dossier_submit(world, key=f"stage-{next(_codes)}")
    d = dossier_receive_at_counter(world)
    if stage == "received":
        return d
    if stage == "pool":
        return services.dossier_forward(actor=world.lan, dossier=d, row_version=d.row_version)
    if stage in STAGES:
        return dossier_advance(world, d, to=stage)
    d = dossier_advance(world, d, to="appraisal")
    if stage == "supplement":
        return services.dossier_request_supplement(
            actor=world.minh,
            dossier=d,
            row_version=d.row_version,
            items=[services.RequestedItem("Bản sao giấy khai sinh", "Bản chụp bị mờ")],
            reason="Hồ sơ thiếu giấy tờ",
        )
    if stage == "payment":
        return services.dossier_request_payment(
            actor=world.minh,
            dossier=d,
            row_version=d.row_version,
            fees=[services.FeeData("Tiền sử dụng đất", 1_000_000)],
        )
    if stage == "transferred":
        return services.dossier_transfer(
            actor=world.minh,
            dossier=d,
            row_version=d.row_version,
            to_unit=world.department,
            reason="Xin ý kiến",
        )
    raise ValueError(f"unknown stage {stage!r}; one of {ALL_STAGES}")

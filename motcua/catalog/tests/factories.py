"""Factories for catalogue tests, and a small realistic catalogue with the tricky neighbours.

``search_text`` is set the way ``catalog.services`` maintains it: fold(name + " " + field name).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory
from factory.django import DjangoModelFactory

from motcua.catalog.models import (
    Field,
    Level,
    Procedure,
    ProcedureDocument,
    ProcedureFee,
    ProcedureVersion,
    ProcessDefinition,
    ProcessSource,
    ProcessStep,
    ServiceLevel,
)
from motcua.core.text import fold
from motcua.org.models import Role, UnitKind
from motcua.worktime.models import TimeUnit


class FieldFactory(DjangoModelFactory):
    class Meta:
        model = Field
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Lĩnh vực {n}")
    code = factory.LazyAttribute(lambda o: fold(o.name).replace(" ", "-"))


class ProcedureFactory(DjangoModelFactory):
    class Meta:
        model = Procedure

    code = factory.Sequence(lambda n: f"9.{n:06d}")
    name = factory.Sequence(lambda n: f"Thủ tục thử nghiệm số {n}")
    field = factory.SubFactory(FieldFactory)
    level = Level.COMMUNE
    popularity = 0
    audience_citizen = True
    content_hash = "test"
    search_text = factory.LazyAttribute(lambda o: fold(f"{o.name} {o.field.name if o.field else ''}"))


class ProcedureDocumentFactory(DjangoModelFactory):
    class Meta:
        model = ProcedureDocument

    procedure = factory.SubFactory(ProcedureFactory)
    order = factory.Sequence(lambda n: n + 1)
    name = "Tờ khai theo mẫu"
    copies = "1 bản chính"


class ProcedureFeeFactory(DjangoModelFactory):
    class Meta:
        model = ProcedureFee

    procedure = factory.SubFactory(ProcedureFactory)
    order = factory.Sequence(lambda n: n + 1)
    name = "Lệ phí"
    amount_vnd = 50_000


class ProcedureVersionFactory(DjangoModelFactory):
    class Meta:
        model = ProcedureVersion

    procedure = factory.SubFactory(ProcedureFactory)
    number = factory.Sequence(lambda n: n + 1)
    content_hash = "test"
    snapshot = factory.LazyFunction(dict)


class ProcessDefinitionFactory(DjangoModelFactory):
    class Meta:
        model = ProcessDefinition

    procedure = factory.SubFactory(ProcedureFactory)
    version = 1
    is_current = True
    source = ProcessSource.DATA
    total_amount = Decimal("3")
    total_unit = TimeUnit.WORKING_DAYS
    content_hash = "test"


class ProcessStepFactory(DjangoModelFactory):
    class Meta:
        model = ProcessStep

    process = factory.SubFactory(ProcessDefinitionFactory)
    order = factory.Sequence(lambda n: n + 1)
    name = "Tiếp nhận hồ sơ"
    actor_text = "Công chức một cửa"
    actor_unit_kind = UnitKind.COMMUNE_CENTRE
    actor_role = Role.RECEPTION
    duration_amount = Decimal("0.5")
    duration_unit = TimeUnit.WORKING_DAYS
    task = "Kiểm tra, tiếp nhận hồ sơ"


# (code, name, field, popularity, level, service_level) — real codes, names and popularity from
# data/catalog, chosen for the neighbours that make ranking hard: same words in another order, a
# longer name that contains the shorter one, a far more popular name sharing one word, "khai" + "từ"
# in an unrelated tax procedure, "xe" as a prefix of "xét", abbreviations.
REALISTIC: list[tuple[str, str, str, int, str, str]] = [
    ("1.001193", "Thủ tục đăng ký khai sinh", "Hộ tịch", 17_610, "commune", ""),
    ("1.004884", "Thủ tục đăng ký lại khai sinh", "Hộ tịch", 2_117, "commune", ""),
    ("2.000528", "Thủ tục đăng ký khai sinh có yếu tố nước ngoài", "Hộ tịch", 408, "commune", ""),
    ("1.003583", "Thủ tục đăng ký khai sinh lưu động", "Hộ tịch", 403, "commune", ""),
    (
        "2.000986",
        "Liên thông thủ tục hành chính về đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế "
        "cho trẻ em dưới 6 tuổi",
        "Hộ tịch (liên thông)",
        843_323,
        "commune",
        "full_online",
    ),
    (
        "2.002621",
        "Đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi",
        "Hộ tịch",
        54_888,
        "commune",
        "",
    ),
    ("2.000635", "Cấp bản sao Trích lục hộ tịch, bản sao Giấy khai sinh", "Hộ tịch", 1_373_873, "both", ""),
    ("1.000656", "Thủ tục đăng ký khai tử", "Hộ tịch", 1_699, "commune", ""),
    ("1.005461", "Đăng ký lại khai tử", "Hộ tịch", 681, "commune", ""),
    ("1.000894", "Thủ tục đăng ký kết hôn", "Hộ tịch", 34_747, "commune", ""),
    ("2.000806", "Thủ tục đăng ký kết hôn có yếu tố nước ngoài", "Hộ tịch", 4_386, "province", ""),
    ("1.004746", "Thủ tục đăng ký lại kết hôn", "Hộ tịch", 444, "commune", ""),
    ("1.004194", "Đăng ký tạm trú", "Đăng ký, quản lý cư trú", 15_539_622, "commune", "full_online"),
    ("1.002755", "Gia hạn tạm trú", "Đăng ký, quản lý cư trú", 705_135, "central", "full_online"),
    ("1.010028", "Xóa đăng ký tạm trú", "Đăng ký, quản lý cư trú", 385_846, "central", "full_online"),
    (
        "1.003460",
        "Cấp thẻ tạm trú cho người nước ngoài tại Việt Nam tại Công an cấp tỉnh",
        "Quản lý xuất nhập cảnh",
        35_645,
        "central",
        "partial_online",
    ),
    ("1.004222", "Đăng ký thường trú", "Đăng ký, quản lý cư trú", 8_781_419, "commune", "partial_online"),
    (
        "1.001612",
        "Đăng ký thành lập hộ kinh doanh",
        "Thành lập và hoạt động của hộ kinh doanh",
        2_171_391,
        "commune",
        "",
    ),
    (
        "2.000720",
        "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh",
        "Thành lập và hoạt động của hộ kinh doanh",
        211_024,
        "commune",
        "",
    ),
    (
        "1.001266",
        "Chấm dứt hoạt động hộ kinh doanh",
        "Thành lập và hoạt động của hộ kinh doanh",
        65_666,
        "commune",
        "",
    ),
    (
        "1.013225",
        "Cấp giấy phép xây dựng mới đối với công trình cấp III, cấp IV và nhà ở riêng lẻ",
        "Hoạt động xây dựng",
        72,
        "commune",
        "full_online",
    ),
    (
        "1.009122",
        "Cấp giấy phép xây dựng có thời hạn đối với công trình, nhà ở riêng lẻ (công trình cấp III, cấp IV)",
        "Hoạt động xây dựng",
        9_736,
        "commune",
        "",
    ),
    ("1.005126", "Cấp Giấy phép xây dựng, cải tạo, nâng cấp đường ngang", "Đường sắt", 436, "province", ""),
    (
        "1.008309",
        "Khai quyết toán thuế thu nhập cá nhân đối với tổ chức, cá nhân trả thu nhập từ tiền lương, "
        "tiền công",
        "Thuế",
        759_056,
        "central",
        "full_online",
    ),
    (
        "1.001942",
        "Đăng ký xét tuyển trình độ đại học, trình độ cao đẳng ngành giáo dục mầm non",
        "Giáo dục và đào tạo",
        25_788,
        "province",
        "",
    ),
    (
        "1.012575",
        "Đăng ký xe lần đầu trực tuyến toàn trình đối với xe sản xuất lắp ráp trong nước thực hiện tại "
        "cấp tỉnh, cấp xã",
        "Đăng ký, quản lý phương tiện giao thông (đăng ký xe)",
        4_265_478,
        "central",
        "full_online",
    ),
    (
        "1.002759",
        "Cấp lại, đổi, điều chỉnh thông tin trên sổ BHXH, thẻ BHYT",
        "Bảo hiểm xã hội",
        1_044_019,
        "central",
        "",
    ),
    ("1.001613", "Giải quyết hưởng bảo hiểm xã hội một lần", "Bảo hiểm xã hội", 412_361, "central", ""),
    ("3.000347", "Đổi giấy phép lái xe", "Đường bộ", 206_702, "province", "full_online"),
    (
        "1.012783",
        "Cấp đổi Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
        "Đất đai",
        160,
        "province",
        "",
    ),
    ("2.004194", "Thủ tục giả định có cùng sáu chữ số mã", "Thử nghiệm", 1, "province", ""),
]


def realistic_catalogue(**overrides: Any) -> dict[str, Procedure]:
    """Create the REALISTIC procedures; returns them by code."""
    created: dict[str, Procedure] = {}
    for code, name, field_name, popularity, level, service_level in REALISTIC:
        field = FieldFactory(name=field_name)
        created[code] = ProcedureFactory.create(
            code=code,
            name=name,
            field=field,
            popularity=popularity,
            level=level,
            service_level=service_level or "",
            **overrides,
        )
    return created


def detailed_procedure(**kwargs: Any) -> Procedure:
    """A procedure with documents, fees (paid, free, unpublished), steps and a current process."""
    procedure: Procedure = ProcedureFactory.create(
        **{
            "code": "1.999001",
            "name": "Đăng ký khai sinh thử nghiệm",
            "field": FieldFactory(name="Hộ tịch"),
            "level": Level.COMMUNE,
            "service_level": ServiceLevel.FULL_ONLINE,
            "processing_time_amount": Decimal("3"),
            "processing_time_unit": TimeUnit.WORKING_DAYS,
            "processing_time_text": "03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ",
            "competent_authority": "Ủy ban nhân dân cấp xã",
            "implementing_agency": "Trung tâm Phục vụ hành chính công cấp xã",
            "steps": ["Nộp hồ sơ", "Thẩm tra hồ sơ", "Trả kết quả"],
            "result": "Giấy khai sinh",
            "legal_basis": ["Luật Hộ tịch 2014"],
            "has_details": True,
            **kwargs,
        }
    )
    ProcedureDocumentFactory(
        procedure=procedure, order=1, name="Tờ khai đăng ký khai sinh", form_template="Mẫu TK-01"
    )
    ProcedureDocumentFactory(
        procedure=procedure, order=2, name="Giấy chứng sinh", required=False, note="Bản chính"
    )
    ProcedureFeeFactory(procedure=procedure, order=1, name="Lệ phí cấp bản sao", amount_vnd=50_000)
    ProcedureFeeFactory(procedure=procedure, order=2, name="Lệ phí đăng ký", amount_vnd=0)
    ProcedureFeeFactory(procedure=procedure, order=3, name="Phí khác", amount_vnd=None)
    old = ProcessDefinitionFactory(procedure=procedure, version=1, is_current=False)
    ProcessStepFactory(process=old, order=1, name="Bước cũ")
    current = ProcessDefinitionFactory(procedure=procedure, version=2, is_current=True)
    ProcessStepFactory(process=current, order=1, name="Tiếp nhận hồ sơ")
    ProcessStepFactory(
        process=current,
        order=2,
        name="Thẩm định",
        actor_role=Role.SPECIALIST,
        duration_amount=Decimal("2"),
        actor_text="Công chức tư pháp - hộ tịch",
    )
    ProcessStepFactory(process=current, order=3, name="Trả kết quả", duration_amount=Decimal("0.5"))
    ProcedureVersionFactory(procedure=procedure, number=1)
    ProcedureVersionFactory(procedure=procedure, number=2)
    return procedure

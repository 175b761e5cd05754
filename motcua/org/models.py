"""Two-tier organisation of Quảng Ninh: province → commune (no district since 1/7/2025).

Units (đơn vị) form a tree: the provincial People's Committee at the root, provincial departments (Sở),
the provincial Public Administrative Service Centre (Trung tâm PVHCC tỉnh) and the 54 commune-level
People's Committees, each commune with its own service centre. Officials (cán bộ, công chức) hold
roles scoped to a unit: an official of commune A has no rights in commune B (the exact rule is in
``selectors.official_units``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_noop

from motcua.core.text import fold

# QCVN 102:2016/BTTTT structure V1V2V3.Z1Z2.Y1Y2.<level-1 code>, e.g. 000.22.07.H49.
AGENCY_CODE_PATTERN = r"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$"
agency_code_validator = RegexValidator(
    AGENCY_CODE_PATTERN,
    "Mã định danh phải có dạng 000.00.00.H49 (QCVN 102:2016/BTTTT).",
)


# Labels marked for the English catalogue, translated where shown: see dossiers.models.Channel.
class UnitKind(models.TextChoices):
    """Kind of unit — loại đơn vị."""

    PROVINCE_COMMITTEE = "province_committee", gettext_noop("UBND tỉnh")
    DEPARTMENT = "department", gettext_noop("Sở, ban, ngành tỉnh")
    PROVINCE_CENTRE = "province_centre", gettext_noop("Trung tâm Phục vụ hành chính công tỉnh")
    COMMUNE_COMMITTEE = "commune_committee", gettext_noop("UBND xã, phường, đặc khu")
    COMMUNE_CENTRE = "commune_centre", gettext_noop("Trung tâm Phục vụ hành chính công xã, phường, đặc khu")


class AreaKind(models.TextChoices):
    """Kind of administrative area — loại đơn vị hành chính (vietnam-provinces division type)."""

    PROVINCE = "tinh", "Tỉnh"
    WARD = "phuong", "Phường"
    COMMUNE = "xa", "Xã"
    SPECIAL_ZONE = "dac_khu", "Đặc khu"


class Role(models.TextChoices):
    """Role of an official — vai trò (docs/domain.md §1).

    A role is held in one unit; ``selectors.official_units`` documents how far it reaches.
    """

    RECEPTION = "reception", gettext_noop("Cán bộ tiếp nhận (một cửa)")
    SPECIALIST = "specialist", gettext_noop("Chuyên viên thẩm định")
    DIVISION_HEAD = "division_head", gettext_noop("Trưởng phòng")
    LEADER = "leader", gettext_noop("Lãnh đạo (người ký)")
    CLERK = "clerk", gettext_noop("Văn thư")
    SUPERVISOR = "supervisor", gettext_noop("Giám sát trung tâm")
    UNIT_ADMIN = "unit_admin", gettext_noop("Quản trị đơn vị")
    PROVINCE_ADMIN = "province_admin", gettext_noop("Quản trị tỉnh")
    REPORT_VIEWER = "report_viewer", gettext_noop("Xem báo cáo")


# Held at the provincial People's Committee, these roles reach every unit of the province.
PROVINCE_WIDE_ROLES = frozenset({Role.PROVINCE_ADMIN, Role.REPORT_VIEWER})
# Roles that oversee without handling dossiers: they read counts and lists, never the applicants'
# personal data (name shown as initials; no ID number, contact, address, documents). Every other role
# handles dossiers of its units and reads them in full (docs/domain.md §1).
OVERSIGHT_ROLES = frozenset({Role.REPORT_VIEWER, Role.PROVINCE_ADMIN})
CASEWORK_ROLES = frozenset(Role) - OVERSIGHT_ROLES
# Roles that manage officials and units in the Django admin.
ADMIN_ROLES = frozenset({Role.UNIT_ADMIN, Role.PROVINCE_ADMIN})


# Service centres belong to a People's Committee; see ``selectors.official_units`` for what that implies.
COMMITTEE_KINDS = frozenset({UnitKind.PROVINCE_COMMITTEE, UnitKind.COMMUNE_COMMITTEE})
CENTRE_KINDS = frozenset({UnitKind.PROVINCE_CENTRE, UnitKind.COMMUNE_CENTRE})
# Units that decide dossiers (cơ quan có thẩm quyền giải quyết): the People's Committees and departments.
DECIDING_KINDS = COMMITTEE_KINDS | {UnitKind.DEPARTMENT}


class Unit(models.Model):
    """Unit — đơn vị: an agency or a service centre that receives or handles dossiers."""

    kind = models.CharField("loại đơn vị", max_length=32, choices=UnitKind.choices, db_index=True)
    name = models.CharField("tên đơn vị", max_length=255)
    short_name = models.CharField("tên viết tắt", max_length=120, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="đơn vị cấp trên",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Stable machine key used by the loader and fixtures (e.g. "ubnd-6688"). Unlike agency_code it is
    # never edited by hand; null for units an administrator created outside the loader.
    slug = models.SlugField("khóa máy", max_length=64, unique=True, null=True, blank=True, editable=False)
    # Electronic identification code (mã định danh điện tử), e.g. 000.22.07.H49; prefix of dossier codes.
    agency_code = models.CharField(
        "mã định danh", max_length=40, unique=True, validators=[agency_code_validator]
    )
    # True once an administrator set the code by hand: the loader then keeps it instead of re-deriving it.
    agency_code_manual = models.BooleanField(
        "mã định danh nhập tay",
        default=False,
        help_text="Mã do quản trị viên nhập; không bị ghi đè khi nạp lại danh mục đơn vị.",
    )
    # Official administrative code from vietnam-provinces (province 22 or a ward/commune code).
    area_code = models.PositiveIntegerField("mã đơn vị hành chính", null=True, blank=True, db_index=True)
    area_kind = models.CharField(
        "loại đơn vị hành chính", max_length=16, choices=AreaKind.choices, blank=True
    )
    address = models.CharField("địa chỉ", max_length=500, blank=True)
    phone = models.CharField("điện thoại", max_length=40, blank=True)
    email = models.EmailField("thư điện tử", blank=True)
    is_active = models.BooleanField("đang hoạt động", default=True)
    # Accent-folded name, short name and code for search (motcua.core.text.fold); kept by save() and
    # by the loader, which writes with bulk_update and therefore sets it itself.
    search_text = models.TextField("chuỗi tìm kiếm", blank=True, editable=False)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = "đơn vị"
        verbose_name_plural = "đơn vị"

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_text = self.compute_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"name", "short_name", "agency_code"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def compute_search_text(self) -> str:
        return fold(f"{self.name} {self.short_name} {self.agency_code}")


class Counter(models.Model):
    """Counter — quầy tiếp nhận at a service centre."""

    unit = models.ForeignKey(Unit, verbose_name="đơn vị", on_delete=models.CASCADE, related_name="counters")
    number = models.PositiveSmallIntegerField("số quầy")
    label = models.CharField(
        "lĩnh vực phục vụ", max_length=200, help_text="Lĩnh vực hoặc nhóm thủ tục phục vụ"
    )
    is_active = models.BooleanField("đang hoạt động", default=True)

    class Meta:
        ordering = ["unit", "number"]
        constraints = [models.UniqueConstraint(fields=["unit", "number"], name="counter_unique_number")]
        verbose_name = "quầy tiếp nhận"
        verbose_name_plural = "quầy tiếp nhận"

    def __str__(self) -> str:
        return f"Quầy {self.number} — {self.label}"


class Official(models.Model):
    """Official — cán bộ, công chức, viên chức: the profile of a staff user account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="tài khoản",
        on_delete=models.CASCADE,
        related_name="official",
    )
    full_name = models.CharField("họ và tên", max_length=200)
    title = models.CharField(
        "chức danh", max_length=200, blank=True, help_text="Ví dụ: Phó Chủ tịch UBND phường"
    )
    phone = models.CharField("điện thoại", max_length=40, blank=True)

    class Meta:
        ordering = ["full_name"]
        verbose_name = "cán bộ"
        verbose_name_plural = "cán bộ"

    def __str__(self) -> str:
        return self.full_name


class RoleAssignment(models.Model):
    """Role assignment — phân quyền: one role of one official in one unit."""

    official = models.ForeignKey(
        Official, verbose_name="cán bộ", on_delete=models.CASCADE, related_name="assignments"
    )
    unit = models.ForeignKey(
        Unit, verbose_name="đơn vị", on_delete=models.PROTECT, related_name="assignments"
    )
    role = models.CharField("vai trò", max_length=32, choices=Role.choices)
    # Revoking deactivates instead of deleting, so who held which role stays on record.
    is_active = models.BooleanField("còn hiệu lực", default=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["official", "unit", "role"], name="assignment_unique_role")
        ]
        indexes = [models.Index(fields=["unit", "role"])]
        verbose_name = "phân quyền"
        verbose_name_plural = "phân quyền"

    def __str__(self) -> str:
        return f"{self.official} — {self.get_role_display()} — {self.unit}"

"""Two-tier organisation of Quảng Ninh: province → commune (no district since 1/7/2025).

Units (đơn vị) form a tree: the provincial People's Committee at the root, provincial departments (Sở),
the provincial Public Administrative Service Centre (Trung tâm PVHCC tỉnh) and the 54 commune-level
People's Committees, each commune with its own service centre. Officials (cán bộ, công chức) hold
roles scoped to one unit: an official of commune A has no rights in commune B.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class UnitKind(models.TextChoices):
    PROVINCE_COMMITTEE = "province_committee", "UBND tỉnh"
    DEPARTMENT = "department", "Sở, ban, ngành tỉnh"
    PROVINCE_CENTRE = "province_centre", "Trung tâm Phục vụ hành chính công tỉnh"
    COMMUNE_COMMITTEE = "commune_committee", "UBND xã, phường, đặc khu"
    COMMUNE_CENTRE = "commune_centre", "Trung tâm Phục vụ hành chính công xã, phường, đặc khu"


class AreaKind(models.TextChoices):
    """Kind of commune-level administrative area (vietnam-provinces division type)."""

    PROVINCE = "tinh", "Tỉnh"
    WARD = "phuong", "Phường"
    COMMUNE = "xa", "Xã"
    SPECIAL_ZONE = "dac_khu", "Đặc khu"


class Role(models.TextChoices):
    """Official roles (DESIGN §1). Rights always apply within the unit of the assignment."""

    RECEPTION = "reception", "Cán bộ tiếp nhận (một cửa)"
    SPECIALIST = "specialist", "Chuyên viên thẩm định"
    DIVISION_HEAD = "division_head", "Trưởng phòng"
    LEADER = "leader", "Lãnh đạo (người ký)"
    CLERK = "clerk", "Văn thư"
    SUPERVISOR = "supervisor", "Giám sát trung tâm"
    UNIT_ADMIN = "unit_admin", "Quản trị đơn vị"
    PROVINCE_ADMIN = "province_admin", "Quản trị tỉnh"
    REPORT_VIEWER = "report_viewer", "Xem báo cáo"


class Unit(models.Model):
    """Unit — đơn vị: an agency or a service centre that receives or handles dossiers."""

    kind = models.CharField(max_length=32, choices=UnitKind.choices, db_index=True)
    name = models.CharField(max_length=255)
    short_name = models.CharField(max_length=120, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Electronic identification code (mã định danh điện tử), e.g. 000.22.07.H49; prefix of dossier codes.
    agency_code = models.CharField(max_length=40, unique=True)
    # Official administrative code from vietnam-provinces (province 22 or a ward/commune code).
    area_code = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    area_kind = models.CharField(max_length=16, choices=AreaKind.choices, blank=True)
    address = models.CharField(max_length=500, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = "đơn vị"
        verbose_name_plural = "đơn vị"

    def __str__(self) -> str:
        return self.name


class Counter(models.Model):
    """Counter — quầy tiếp nhận at a service centre."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="counters")
    number = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=200, help_text="Lĩnh vực hoặc nhóm thủ tục phục vụ")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["unit", "number"]
        constraints = [models.UniqueConstraint(fields=["unit", "number"], name="counter_unique_number")]
        verbose_name = "quầy tiếp nhận"
        verbose_name_plural = "quầy tiếp nhận"

    def __str__(self) -> str:
        return f"Quầy {self.number} — {self.label}"


class Official(models.Model):
    """Official — cán bộ, công chức, viên chức: the profile of a staff user account."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="official")
    full_name = models.CharField(max_length=200)
    title = models.CharField(max_length=200, blank=True, help_text="Chức danh")
    phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["full_name"]
        verbose_name = "cán bộ"
        verbose_name_plural = "cán bộ"

    def __str__(self) -> str:
        return self.full_name


class RoleAssignment(models.Model):
    """Role assignment — phân quyền: one role of one official in one unit."""

    official = models.ForeignKey(Official, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(max_length=32, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["official", "unit", "role"], name="assignment_unique_role")
        ]
        indexes = [models.Index(fields=["unit", "role"])]
        verbose_name = "phân quyền"
        verbose_name_plural = "phân quyền"

    def __str__(self) -> str:
        return f"{self.official} — {self.get_role_display()} — {self.unit}"

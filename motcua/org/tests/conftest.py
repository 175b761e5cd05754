"""Fixtures of the org tests: the loaded province and named personas for the permission matrix."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from pytest_django.fixtures import Settings

from motcua.accounts.models import Account
from motcua.org.models import Role, Unit
from motcua.org.services import role_assignment_revoke
from motcua.org.tests.factories import OfficialFactory, UserFactory

# Official commune codes (vietnam-provinces 2025.10.1) used across the tests.
HA_LONG = 6688  # Phường Hạ Long
BAI_CHAY = 6673  # Phường Bãi Cháy
CO_TO = 7192  # Đặc khu Cô Tô
VAN_DON = 6994  # Đặc khu Vân Đồn


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: Settings) -> None:
    # PBKDF2 costs ~0.5 s per hash; the tests check behaviour, not hash strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass(frozen=True)
class QuangNinh:
    """The loaded province, units looked up by loader key."""

    units: dict[str, Unit]

    def __getitem__(self, slug: str) -> Unit:
        return self.units[slug]

    @property
    def province(self) -> Unit:
        return self.units["ubnd-tinh"]

    @property
    def province_centre(self) -> Unit:
        return self.units["pvhcc-tinh"]

    def committee(self, area_code: int) -> Unit:
        return self.units[f"ubnd-{area_code}"]

    def centre(self, area_code: int) -> Unit:
        return self.units[f"pvhcc-{area_code}"]


@pytest.fixture
def quang_ninh(quang_ninh_units: None, db: None) -> QuangNinh:
    return QuangNinh({unit.slug or "": unit for unit in Unit.objects.all()})


# Persona → (description, [(unit key, role)]). Keys: "centre:<code>", "committee:<code>" or a loader key.
PERSONAS: dict[str, tuple[str, list[tuple[str, Role]]]] = {
    "chi_lan": ("chị Lan, tiếp nhận TT PVHCC phường Hạ Long", [(f"pvhcc-{HA_LONG}", Role.RECEPTION)]),
    "anh_minh": ("anh Minh, tiếp nhận TT PVHCC phường Bãi Cháy", [(f"pvhcc-{BAI_CHAY}", Role.RECEPTION)]),
    "ong_cuong": ("ông Cường, lãnh đạo UBND phường Hạ Long", [(f"ubnd-{HA_LONG}", Role.LEADER)]),
    "chi_mai": ("chị Mai, chuyên viên Sở Tư pháp", [("so-tu-phap", Role.SPECIALIST)]),
    "ong_thang": ("ông Thắng, lãnh đạo UBND tỉnh", [("ubnd-tinh", Role.LEADER)]),
    "co_ngoc": ("cô Ngọc, tiếp nhận TT PVHCC tỉnh", [("pvhcc-tinh", Role.RECEPTION)]),
    "ba_hoa": ("bà Hoa, quản trị tỉnh", [("ubnd-tinh", Role.PROVINCE_ADMIN)]),
    "anh_tuan": ("anh Tuấn, xem báo cáo toàn tỉnh", [("ubnd-tinh", Role.REPORT_VIEWER)]),
    "chi_thao": ("chị Thảo, xem báo cáo phường Bãi Cháy", [(f"ubnd-{BAI_CHAY}", Role.REPORT_VIEWER)]),
    "anh_duc": ("anh Đức, quản trị UBND phường Hạ Long", [(f"ubnd-{HA_LONG}", Role.UNIT_ADMIN)]),
    "anh_son": ("anh Sơn, tiếp nhận Hạ Long, tài khoản đã khóa", [(f"pvhcc-{HA_LONG}", Role.RECEPTION)]),
    "chi_ha": ("chị Hà, tiếp nhận Hạ Long, đã bị thu hồi quyền", [(f"pvhcc-{HA_LONG}", Role.RECEPTION)]),
    "ong_tu": ("ông Tư, quản trị hệ thống (superuser)", []),
    "khach": ("khách, người dùng không có vai trò", []),
}


@pytest.fixture
def personas(quang_ninh: QuangNinh) -> dict[str, Account]:
    users: dict[str, Account] = {}
    for name, (description, grants) in PERSONAS.items():
        official = OfficialFactory.create(
            user=UserFactory.create(
                username=name, is_superuser=name == "ong_tu", is_staff=name in {"ong_tu", "anh_duc", "ba_hoa"}
            ),
            full_name=description,
            assignments=[(quang_ninh[key], role) for key, role in grants],
        )
        users[name] = official.user
    users["anh_son"].is_active = False
    users["anh_son"].save(update_fields=["is_active"])
    chi_ha = users["chi_ha"].official
    role_assignment_revoke(official=chi_ha, unit=quang_ninh.centre(HA_LONG), role=Role.RECEPTION)
    return users

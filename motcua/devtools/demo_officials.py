"""Demo officials — tài khoản cán bộ mẫu for ``motcua load-demo``, the README and the browser tests.

Every demo account shares :data:`DEMO_PASSWORD`; they sit at the provincial centre, two departments and
three communes (phường Hạ Long, phường Bãi Cháy, đặc khu Cô Tô), with every role of those units.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from motcua.accounts.models import Account, AccountKind
from motcua.org.models import ADMIN_ROLES, Official, Role, RoleAssignment, Unit
from motcua.org.selectors import official_scope_invalidate
from motcua.org.services import (
    PROVINCE_COMMITTEE_SLUG,
    commune_centre_slug,
    commune_committee_slug,
    units_load_quang_ninh,
)

# Shared by every demo account and printed in the README; never use on a real deployment.
DEMO_PASSWORD = "motcua-demo-2026"


@dataclass(frozen=True)
class DemoAccount:
    """A demo login as the README lists it."""

    username: str
    full_name: str
    title: str
    unit_name: str
    unit_agency_code: str
    role: Role

    @property
    def role_label(self) -> str:
        return self.role.label


@dataclass(frozen=True)
class _DemoSpec:
    username: str
    full_name: str
    title: str
    unit_slug: str
    role: Role


def _commune_demo(
    place: str, area_code: int, division: str, names: Sequence[str], office: str
) -> list[_DemoSpec]:
    """Seven accounts of one commune: reception and supervision at the centre, the rest at the committee."""
    centre, committee = commune_centre_slug(area_code), commune_committee_slug(area_code)
    roles = [
        ("tiepnhan", Role.RECEPTION, centre, "Công chức tiếp nhận và trả kết quả"),
        ("giamsat", Role.SUPERVISOR, centre, f"Phó Giám đốc Trung tâm Phục vụ hành chính công {division}"),
        ("chuyenvien", Role.SPECIALIST, committee, f"Chuyên viên {office}"),
        ("truongphong", Role.DIVISION_HEAD, committee, f"Trưởng {office}"),
        ("lanhdao", Role.LEADER, committee, f"Phó Chủ tịch UBND {division}"),
        ("vanthu", Role.CLERK, committee, f"Văn thư Văn phòng HĐND và UBND {division}"),
        ("quantri", Role.UNIT_ADMIN, committee, f"Công chức quản trị hệ thống UBND {division}"),
    ]
    return [
        _DemoSpec(f"{prefix}.{place}", name, title, slug, role)
        for (prefix, role, slug, title), name in zip(roles, names, strict=True)
    ]


def _department_demo(place: str, slug: str, short: str, names: Sequence[str], office: str) -> list[_DemoSpec]:
    """Five accounts of a department; its dossiers are received at the provincial centre."""
    roles = [
        ("chuyenvien", Role.SPECIALIST, f"Chuyên viên {office}"),
        ("truongphong", Role.DIVISION_HEAD, f"Trưởng {office}"),
        ("lanhdao", Role.LEADER, f"Phó Giám đốc {short}"),
        ("vanthu", Role.CLERK, f"Văn thư {short}"),
        ("quantri", Role.UNIT_ADMIN, f"Quản trị hệ thống {short}"),
    ]
    return [
        _DemoSpec(f"{prefix}.{place}", name, title, slug, role)
        for (prefix, role, title), name in zip(roles, names, strict=True)
    ]


DEMO_ACCOUNTS: tuple[_DemoSpec, ...] = (
    _DemoSpec(
        "quantri.quangninh",
        "Phạm Thị Hoa",
        "Quản trị hệ thống cấp tỉnh",
        PROVINCE_COMMITTEE_SLUG,
        Role.PROVINCE_ADMIN,
    ),
    _DemoSpec(
        "baocao.quangninh",
        "Trần Quốc Tuấn",
        "Chuyên viên Văn phòng UBND tỉnh",
        PROVINCE_COMMITTEE_SLUG,
        Role.REPORT_VIEWER,
    ),
    _DemoSpec(
        "tiepnhan.ttpvhcc", "Vũ Thị Thu Trang", "Công chức tiếp nhận hồ sơ", "pvhcc-tinh", Role.RECEPTION
    ),
    _DemoSpec("lanhdao.ttpvhcc", "Nguyễn Văn Thắng", "Phó Giám đốc Trung tâm", "pvhcc-tinh", Role.LEADER),
    _DemoSpec("giamsat.ttpvhcc", "Đỗ Minh Châu", "Chuyên viên giám sát", "pvhcc-tinh", Role.SUPERVISOR),
    _DemoSpec("quantri.ttpvhcc", "Bùi Đức Anh", "Quản trị hệ thống Trung tâm", "pvhcc-tinh", Role.UNIT_ADMIN),
    *_department_demo(
        "sotuphap",
        "so-tu-phap",
        "Sở Tư pháp",
        ["Lê Thị Mai", "Hoàng Văn Nam", "Ngô Thị Thanh Hương", "Đặng Thị Ngọc", "Trịnh Văn Hải"],
        "phòng Hành chính tư pháp",
    ),
    *_department_demo(
        "sonnmt",
        "so-nong-nghiep-moi-truong",
        "Sở Nông nghiệp và Môi trường",
        ["Phan Văn Dũng", "Lưu Thị Hạnh", "Vương Đình Khánh", "Tạ Thị Yến", "Đinh Quang Huy"],
        "phòng Quản lý đất đai",
    ),
    # The provincial centre's demo dossiers: of its procedures with a published processing time, the
    # health and social-protection ones go to Sở Y tế (thẻ BHYT, bảo trợ xã hội, trẻ em).
    *_department_demo(
        "soyte",
        "so-y-te",
        "Sở Y tế",
        ["Nguyễn Thị Thu Hà", "Phạm Quang Vinh", "Trần Thị Bích Liên", "Hoàng Thị Oanh", "Đoàn Văn Quý"],
        "phòng Bảo trợ xã hội",
    ),
    *_commune_demo(
        "halong",
        6688,
        "phường",
        [
            "Nguyễn Thị Lan",
            "Trần Văn Bình",
            "Phạm Thị Ngọc Ánh",
            "Vũ Văn Hùng",
            "Đỗ Mạnh Cường",
            "Hoàng Thị Thảo",
            "Lê Minh Đức",
        ],
        "phòng Kinh tế, Hạ tầng và Đô thị",
    ),
    *_commune_demo(
        "baichay",
        6673,
        "phường",
        [
            "Nguyễn Văn Minh",
            "Bùi Thị Phương",
            "Lý Thị Huyền",
            "Đào Văn Long",
            "Trương Thị Hà",
            "Mai Thị Dung",
            "Cao Văn Toàn",
        ],
        "phòng Kinh tế, Hạ tầng và Đô thị",
    ),
    *_commune_demo(
        "coto",
        7192,
        "đặc khu",
        [
            "Hà Thị Nhung",
            "Lục Văn Sơn",
            "Chu Thị Loan",
            "Nông Văn Thành",
            "Dương Văn Khoa",
            "Triệu Thị Hiền",
            "Lâm Văn Tú",
        ],
        "phòng Kinh tế, Hạ tầng và Đô thị",
    ),
)


def _demo_units(slugs: Iterable[str]) -> dict[str, Unit]:
    wanted = set(slugs)
    units = {unit.slug or "": unit for unit in Unit.objects.filter(slug__in=wanted)}
    if wanted - units.keys():
        units_load_quang_ninh()
        units = {unit.slug or "": unit for unit in Unit.objects.filter(slug__in=wanted)}
    return units


@transaction.atomic
def demo_officials_ensure() -> list[DemoAccount]:
    """Make sure every demo account exists with its role; loads the units first if needed.

    Idempotent and fast on rerun: existing accounts keep their password (no re-hashing), profile and
    any extra roles; only missing users, profiles and assignments are created, revoked demo
    assignments are reactivated. All demo accounts share :data:`DEMO_PASSWORD`.
    """
    units = _demo_units(spec.unit_slug for spec in DEMO_ACCOUNTS)
    usernames = [spec.username for spec in DEMO_ACCOUNTS]
    users = {user.get_username(): user for user in Account.objects.filter(username__in=usernames)}
    missing_users = [spec for spec in DEMO_ACCOUNTS if spec.username not in users]
    if missing_users:
        # One hash for all: the password is published anyway, and PBKDF2 costs ~0.5 s per call.
        hashed = make_password(DEMO_PASSWORD)
        Account.objects.bulk_create(
            [
                Account(
                    username=spec.username,
                    password=hashed,
                    kind=AccountKind.OFFICIAL,
                    full_name=spec.full_name,
                    is_staff=spec.role in ADMIN_ROLES,
                )
                for spec in missing_users
            ]
        )
        users = {user.get_username(): user for user in Account.objects.filter(username__in=usernames)}
    staff_needed = [users[spec.username].pk for spec in DEMO_ACCOUNTS if spec.role in ADMIN_ROLES]
    Account.objects.filter(pk__in=staff_needed, is_staff=False).update(is_staff=True)

    officials = {official.user_id: official for official in Official.objects.filter(user__in=users.values())}
    missing_officials = [spec for spec in DEMO_ACCOUNTS if users[spec.username].pk not in officials]
    if missing_officials:
        Official.objects.bulk_create(
            [
                Official(user=users[spec.username], full_name=spec.full_name, title=spec.title)
                for spec in missing_officials
            ]
        )
        officials = {
            official.user_id: official for official in Official.objects.filter(user__in=users.values())
        }

    wanted = {
        (officials[users[spec.username].pk].pk, units[spec.unit_slug].pk, spec.role.value)
        for spec in DEMO_ACCOUNTS
    }
    present = {
        (official_id, unit_id, role): is_active
        for official_id, unit_id, role, is_active in RoleAssignment.objects.filter(
            official__in=officials.values()
        ).values_list("official_id", "unit_id", "role", "is_active")
    }
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(official_id=official_id, unit_id=unit_id, role=role)
            for official_id, unit_id, role in sorted(wanted - present.keys())
        ]
    )
    for official_id, unit_id, role in sorted(key for key in wanted if present.get(key) is False):
        RoleAssignment.objects.filter(official_id=official_id, unit_id=unit_id, role=role).update(
            is_active=True
        )
    for user in users.values():
        official_scope_invalidate(user=user)

    return [
        DemoAccount(
            username=spec.username,
            full_name=officials[users[spec.username].pk].full_name,
            title=officials[users[spec.username].pk].title,
            unit_name=units[spec.unit_slug].name,
            unit_agency_code=units[spec.unit_slug].agency_code,
            role=spec.role,
        )
        for spec in DEMO_ACCOUNTS
    ]

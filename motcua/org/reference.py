"""Reference data the unit loader reads: administrative units and the committed ``data/org`` files.

Communes always come from the ``vietnam-provinces`` package (official codes and names after the
1/7/2025 reorganisation), never from a hand-typed list. Provincial bodies and default counters come from
``data/org/departments.json`` and ``data/org/counters.json``, which the province is expected to edit.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from vietnam_provinces import Province, ProvinceCode, VietNamDivisionType, Ward

from motcua.core.text import nfc
from motcua.org.models import AreaKind

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

_AREA_KINDS: dict[VietNamDivisionType, AreaKind] = {
    VietNamDivisionType.TINH: AreaKind.PROVINCE,
    VietNamDivisionType.PHUONG: AreaKind.WARD,
    VietNamDivisionType.XA: AreaKind.COMMUNE,
    VietNamDivisionType.DAC_KHU: AreaKind.SPECIAL_ZONE,
}


@dataclass(frozen=True)
class ProvincialBody:
    """A department or the provincial centre as described in departments.json."""

    key: str
    name: str
    short_name: str
    segment: int
    address: str


@dataclass(frozen=True)
class Commune:
    """A commune-level administrative unit (xã, phường, đặc khu) from vietnam-provinces."""

    code: int
    name: str  # as published, e.g. "Phường Hạ Long"
    division: str  # lower-case division word, e.g. "phường", "đặc khu"
    bare_name: str  # without the division word, e.g. "Hạ Long"
    area_kind: AreaKind


@dataclass(frozen=True)
class ProvinceReference:
    code: int
    name: str  # "Quảng Ninh"
    division: str  # "tỉnh"
    area_kind: AreaKind
    communes: tuple[Commune, ...]  # ordered by official code
    centre: ProvincialBody
    departments: tuple[ProvincialBody, ...]
    province_centre_counters: tuple[str, ...]
    commune_centre_counters: tuple[str, ...]

    @property
    def full_name(self) -> str:
        return f"{self.division} {self.name}"


def data_dir() -> Path:
    """``<MOTCUA_DATA_DIR>/org``; ``MOTCUA_ORG_DATA_DIR`` in settings points elsewhere (tests, forks)."""
    explicit = getattr(settings, "MOTCUA_ORG_DATA_DIR", None)
    if explicit:
        return Path(explicit)
    return Path(getattr(settings, "MOTCUA_DATA_DIR", Path(settings.PROJECT_DIR) / "data")) / "org"


def _read_json(path: Path) -> dict[str, Any]:
    try:
        with path.open(encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError) as exc:
        raise ImproperlyConfigured(f"Không đọc được {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ImproperlyConfigured(f"{path}: cần một đối tượng JSON.")
    return data


def _body(path: Path, raw: dict[str, Any]) -> ProvincialBody:
    try:
        segment_text = str(raw["segment"])
        if not (len(segment_text) == 2 and segment_text.isdigit()):
            raise ValueError(f"segment {segment_text!r} phải gồm đúng 2 chữ số")
        return ProvincialBody(
            key=str(raw["key"]),
            name=nfc(str(raw["name"])),
            short_name=nfc(str(raw.get("short_name", ""))),
            segment=int(segment_text),
            address=nfc(str(raw.get("address", ""))),
        )
    except (KeyError, ValueError) as exc:
        raise ImproperlyConfigured(f"{path}: mục {raw!r} không hợp lệ ({exc}).") from exc


def _commune(ward: Ward) -> Commune:
    division = ward.division_type.value
    name = nfc(ward.name)
    # Names are published as "Phường Hạ Long"; unit names need the division word in lower case.
    prefix = f"{division} "
    bare = name[len(prefix) :] if name.lower().startswith(prefix) else name
    try:
        area_kind = _AREA_KINDS[ward.division_type]
    except KeyError as exc:
        raise ImproperlyConfigured(f"Loại đơn vị hành chính chưa hỗ trợ: {division!r} ({name}).") from exc
    return Commune(code=int(ward.code), name=name, division=division, bare_name=bare, area_kind=area_kind)


@cache
def _load(province_code: int, directory: Path) -> ProvinceReference:
    try:
        province = Province.from_code(ProvinceCode(province_code))
    except ValueError as exc:
        raise ImproperlyConfigured(f"Mã tỉnh {province_code} không có trong vietnam-provinces.") from exc
    departments_path = directory / "departments.json"
    departments = _read_json(departments_path)
    if departments.get("province_code") != province_code:
        raise ImproperlyConfigured(
            f"{departments_path} dành cho tỉnh {departments.get('province_code')}, "
            f"không phải tỉnh {province_code} (MOTCUA_PROVINCE_CODE)."
        )
    counters_path = directory / "counters.json"
    counters = _read_json(counters_path)
    communes = sorted(
        (_commune(ward) for ward in Ward.iter_by_province(province.code)), key=lambda commune: commune.code
    )
    try:
        area_kind = _AREA_KINDS[province.division_type]
    except KeyError as exc:
        raise ImproperlyConfigured(f"Loại tỉnh chưa hỗ trợ: {province.division_type.value!r}.") from exc
    try:
        centre = _body(departments_path, departments["province_centre"])
        bodies = tuple(_body(departments_path, raw) for raw in departments["departments"])
    except (KeyError, TypeError) as exc:
        raise ImproperlyConfigured(f"{departments_path}: thiếu hoặc sai khóa {exc}.") from exc
    try:
        province_centre_counters = tuple(nfc(str(label)) for label in counters["province_centre"])
        commune_centre_counters = tuple(nfc(str(label)) for label in counters["commune_centre"])
    except (KeyError, TypeError) as exc:
        raise ImproperlyConfigured(f"{counters_path}: thiếu hoặc sai khóa {exc}.") from exc
    for body in (centre, *bodies):
        if not _SLUG.match(body.key):
            raise ImproperlyConfigured(
                f"{departments_path}: key {body.key!r} phải gồm chữ thường, số và '-'."
            )
    return ProvinceReference(
        code=province_code,
        name=nfc(province.name),
        division=province.division_type.value,
        area_kind=area_kind,
        communes=tuple(communes),
        centre=centre,
        departments=bodies,
        province_centre_counters=province_centre_counters,
        commune_centre_counters=commune_centre_counters,
    )


def province_reference() -> ProvinceReference:
    """The configured province (``MOTCUA_PROVINCE_CODE``); parsed once per process."""
    return _load(int(settings.MOTCUA_PROVINCE_CODE), data_dir())

"""Adapters of the national population database — CSDL quốc gia về dân cư.

``PopulationRegistry`` is the interface; ``HttpPopulationRegistry`` speaks the data-sharing platform's
REST protocol (NDXP/LGSP style: client id and secret headers, a JSON envelope with a result code,
documented in ``sandbox/standins/app.py`` and docs/architecture.md). In development and in the tests its
base URL is the local stand-in (``make run`` serves it on port 8020); production sets
``MOTCUA_POPULATION_URL`` and the credentials the platform issued, nothing else changes.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from django.conf import settings
from django.utils.translation import gettext_lazy


@dataclass(frozen=True, slots=True)
class HouseholdMember:
    """A member of the person's household (hộ gia đình) and their relation to its head."""

    personal_id: str
    full_name: str
    relation_to_head: str


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """What the population database answers for one personal ID number (số định danh cá nhân)."""

    personal_id: str
    full_name: str
    birth_date: date
    gender: str
    permanent_address: str
    household_id: str
    household_head: str
    household: tuple[HouseholdMember, ...]


class PopulationError(Exception):
    """A lookup that gave no record; ``str()`` is the Vietnamese message shown to the user."""


class PersonNotFound(PopulationError):
    """The database has no person with that number."""


class PopulationUnavailable(PopulationError):
    """The database could not be asked (down, timed out, refused our credentials, odd answer)."""


class PopulationRegistry(Protocol):
    def lookup(self, *, personal_id: str, purpose: str, requester: str) -> PersonRecord: ...


# Shown on pages (the counter, the wizard): marked for the English catalogue, in the reader's language.
UNAVAILABLE = gettext_lazy(
    "Không kết nối được CSDL quốc gia về dân cư, vui lòng thử lại sau hoặc nhập thông tin thủ công."
)
NOT_FOUND = gettext_lazy("CSDL quốc gia về dân cư không có công dân với số định danh %(personal_id)s.")


class HttpPopulationRegistry:
    """The data-sharing platform's REST API: ``POST {base}/api/v1/cong-dan/tra-cuu``."""

    def __init__(self, *, base_url: str, client_id: str, client_secret: str, timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.timeout = timeout

    def lookup(self, *, personal_id: str, purpose: str, requester: str) -> PersonRecord:
        body = json.dumps(
            {
                "maYeuCau": uuid.uuid4().hex,
                "soDinhDanh": personal_id,
                "mucDich": purpose,
                "nguoiYeuCau": requester,
            }
        ).encode()
        request = urllib.request.Request(
            f"{self.base_url}/api/v1/cong-dan/tra-cuu",
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-Client-Id": self.client_id,
                "X-Client-Secret": self.client_secret,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise PopulationUnavailable(str(UNAVAILABLE)) from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError, ValueError) as exc:
            raise PopulationUnavailable(str(UNAVAILABLE)) from exc
        if not isinstance(answer, dict):
            raise PopulationUnavailable(str(UNAVAILABLE))
        code = answer.get("maKetQua")
        if code == "01":
            raise PersonNotFound(str(NOT_FOUND) % {"personal_id": personal_id})
        if code != "00" or not isinstance(answer.get("duLieu"), dict):
            raise PopulationUnavailable(str(UNAVAILABLE))
        try:
            return _record(answer["duLieu"])
        except (KeyError, TypeError, ValueError) as exc:
            raise PopulationUnavailable(str(UNAVAILABLE)) from exc


def _record(data: dict[str, Any]) -> PersonRecord:
    household = data.get("hoGiaDinh") or {}
    return PersonRecord(
        personal_id=str(data["soDinhDanh"]),
        full_name=str(data["hoVaTen"]),
        birth_date=date.fromisoformat(str(data["ngaySinh"])),
        gender=str(data.get("gioiTinh") or ""),
        permanent_address=str(data.get("noiThuongTru") or ""),
        household_id=str(household.get("soHoKhau") or ""),
        household_head=str(household.get("chuHo") or ""),
        household=tuple(
            HouseholdMember(
                personal_id=str(m["soDinhDanh"]),
                full_name=str(m["hoVaTen"]),
                relation_to_head=str(m.get("quanHeVoiChuHo") or ""),
            )
            for m in household.get("thanhVien") or []
        ),
    )


def population_registry() -> PopulationRegistry:
    """The configured registry (read at call time, so tests can point it at their stand-in)."""
    return HttpPopulationRegistry(
        base_url=settings.MOTCUA_POPULATION_URL,
        client_id=settings.MOTCUA_POPULATION_CLIENT_ID,
        client_secret=settings.MOTCUA_POPULATION_CLIENT_SECRET,
        timeout=float(settings.MOTCUA_POPULATION_TIMEOUT_SECONDS),
    )

"""Payloads for the National Public Service Portal — Cổng Dịch vụ công quốc gia (DVCQG, docs/domain.md).

The content of ``DongBoHoSoMC`` (the dossier synchronisation service), snapshotted in the engine's
transaction when an event happens (``subscribers.dossier_sync``'s snapshot) and carried by its job.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from motcua.core.orm import prefetched_rows
from motcua.dossiers.deadlines import local_zone
from motcua.dossiers.models import ApplicantKind, Channel, Dossier, DossierPause, PauseReason

# HinhThuc — how the dossier came in (0 direct, 1 online, 2 postal) as the portal codes it.
_CHANNEL_CODE: dict[str, int] = {
    Channel.COUNTER: 0,
    Channel.KIOSK: 0,
    Channel.ONLINE: 1,
    Channel.DVCQG: 1,
    Channel.POSTAL: 2,
}


def dvcqg_time(value: datetime | None) -> str:
    """``yyyyMMddHHmmss`` in Asia/Ho_Chi_Minh, "" when absent."""
    return value.astimezone(local_zone()).strftime("%Y%m%d%H%M%S") if value else ""


def _supplement_pauses(dossier: Dossier) -> list[DossierPause]:
    prefetched = prefetched_rows(dossier, "pauses")
    if prefetched is not None:  # a dossier just created (services seed its cache) or prefetched
        return [pause for pause in prefetched if pause.reason == PauseReason.SUPPLEMENT]
    return list(dossier.pauses.filter(reason=PauseReason.SUPPLEMENT).order_by("started_at"))


def dong_bo_ho_so_payload(dossier: Dossier) -> dict[str, Any]:
    """``DongBoHoSoMC`` fields of one dossier as it is now.

    A few queries (components, fees, pauses) — none for a dossier just created by the engine, whose
    related rows are in its prefetch cache; the procedure, its field and the units are expected joined.
    """
    procedure = dossier.procedure
    field = procedure.field
    return {
        "MaHoSo": dossier.code,
        "MaTTHC": procedure.code,
        "TenTTHC": procedure.name,
        "MaLinhVuc": field.code if field else "",
        "TenLinhVuc": field.name if field else "",
        "KenhThucHien": _CHANNEL_CODE.get(dossier.channel, 0),
        "HinhThuc": _CHANNEL_CODE.get(dossier.channel, 0),
        "ChuHoSo": dossier.applicant_name,
        "LoaiDoiTuong": 1 if dossier.applicant_kind == ApplicantKind.PERSON else 2,
        "MaDoiTuong": dossier.applicant_id_number,
        "SoDienThoai": dossier.applicant_phone,
        "Email": dossier.applicant_email,
        "DiaChi": dossier.applicant_address,
        "TrichYeuHoSo": dossier.summary or procedure.name,
        "NgayNopHoSo": dvcqg_time(dossier.submitted_at),
        "NgayTiepNhan": dvcqg_time(dossier.received_at),
        "NgayHenTra": dvcqg_time(dossier.due_at),
        "NgayKetThucXuLy": dvcqg_time(dossier.finished_at),
        "NgayTra": dvcqg_time(dossier.returned_at),
        "TrangThaiHoSo": dossier.status,
        "DonViXuLy": dossier.current_unit.name,
        "MaDonViXuLy": dossier.current_unit.agency_code,
        "DonViTiepNhan": dossier.receiving_unit.agency_code,
        "TaiLieuNop": [
            {
                "TenTepDinhKem": component.name,
                "DuongDanTaiTepTin": component.file.name if component.file else "",
                "MaThanhPhanHoSo": component.catalog_document_id,
                "BanGiay": component.paper_presented,
                "BoSung": component.is_supplement,
            }
            for component in dossier.components.all()
        ],
        "DanhSachLePhi": [
            {"TenPhiLePhi": fee.name, "Gia": fee.amount_vnd, "DaThanhToan": fee.paid_at is not None}
            for fee in dossier.fees.all()
        ],
        "DanhSachHoSoBoSung": [
            {
                "NgayYeuCau": dvcqg_time(pause.started_at),
                "NgayBoSung": dvcqg_time(pause.ended_at),
                "NoiDungYeuCau": pause.note,
                "DanhSachGiayTo": [item.get("name", "") for item in pause.items],
            }
            for pause in _supplement_pauses(dossier)
        ],
        "DanhSachGiayToKetQua": (
            [{"MaKyHieu": dossier.signature_reference, "NgayKy": dvcqg_time(dossier.signed_at)}]
            if dossier.signature_reference
            else []
        ),
    }

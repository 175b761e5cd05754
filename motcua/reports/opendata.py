"""Open data — dữ liệu mở: the datasets of ``/du-lieu-mo/`` and their DCAT-AP description.

Three datasets, each as CSV and JSON:

* ``tong-hop-theo-ngay`` — daily counts per unit, procedure and channel (received, refused, resolved
  early / on time / late, withdrawn, stopped, results returned), read from ``DailyAggregate``;
* ``thu-tuc`` — the procedure catalogue (code, name, field, level, service level, processing time);
* ``don-vi`` — the units (electronic code, name, kind, parent).

Personal data never appears: the daily dataset holds counts only, keyed by unit, procedure, channel
and day. Small counts are suppressed all the same, because a count of 1 for a commune, a rare
procedure and a day can point at a person: a cell with 0 < n < ``MOTCUA_OPEN_DATA_MIN_COUNT`` (default
5) is published empty (CSV) or ``null`` (JSON), and the row says so (``suppressed`` = 1). Zeros are
published as 0 (nothing to hide in nothing). Rows whose counts are all zero are left out.

Rows are produced by generators over ``QuerySet.iterator`` so the views can stream them.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db.models import Max, Min, Q, Sum

from motcua.catalog.models import Procedure
from motcua.core.dbrouter import reads_from_replica, replica_alias
from motcua.org.models import Unit
from motcua.reports.models import DailyAggregate

LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENSE_NAME = "Creative Commons Attribution 4.0 International (CC BY 4.0)"
PUBLISHER = "Ủy ban nhân dân tỉnh Quảng Ninh"

DAILY_COUNTERS = (
    "received",
    "refused",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "withdrawn",
    "stopped",
    "returned",
)


def min_count() -> int:
    return int(getattr(settings, "MOTCUA_OPEN_DATA_MIN_COUNT", 5))


def suppress(value: int, threshold: int) -> int | None:
    """The published value of a count: None when 0 < value < threshold."""
    return None if 0 < value < threshold else value


@dataclass(frozen=True, slots=True)
class Dataset:
    slug: str
    title: str
    description: str
    keywords: tuple[str, ...]
    columns: tuple[str, ...]


DATASETS: dict[str, Dataset] = {
    d.slug: d
    for d in (
        Dataset(
            "tong-hop-theo-ngay",
            "Số liệu giải quyết thủ tục hành chính theo ngày",
            "Số hồ sơ tiếp nhận, từ chối tiếp nhận, giải quyết trước hạn, đúng hạn, quá hạn, rút, dừng xử lý "
            "và trả kết quả theo ngày, đơn vị có thẩm quyền, thủ tục và hình thức nộp. Ô có giá trị từ 1 "
            "đến dưới ngưỡng công bố được để trống.",
            ("thủ tục hành chính", "hồ sơ", "thống kê", "một cửa"),
            ("ngay", "ma_don_vi", "ten_don_vi", "ma_thu_tuc", "hinh_thuc_nop", *DAILY_COUNTERS, "an_so_lieu"),
        ),
        Dataset(
            "thu-tuc",
            "Danh mục thủ tục hành chính",
            "Mã, tên, lĩnh vực, cấp thực hiện, mức độ dịch vụ công trực tuyến và thời hạn giải quyết.",
            ("thủ tục hành chính", "danh mục"),
            ("ma_thu_tuc", "ten_thu_tuc", "linh_vuc", "cap_thuc_hien", "muc_do_dich_vu", "thoi_han"),
        ),
        Dataset(
            "don-vi",
            "Danh sách đơn vị giải quyết thủ tục hành chính",
            "Các cơ quan, trung tâm phục vụ hành chính công tiếp nhận và giải quyết hồ sơ.",
            ("đơn vị", "cơ quan hành chính"),
            ("ma_don_vi", "ten_don_vi", "loai_don_vi", "ma_don_vi_cap_tren"),
        ),
    )
}


@reads_from_replica()
def daily_range() -> tuple[date | None, date | None]:
    found = DailyAggregate.objects.aggregate(first=Min("day"), last=Max("day"))
    return found["first"], found["last"]


def daily_rows(*, first: date | None = None, last: date | None = None) -> Iterator[dict[str, Any]]:
    """The daily dataset's rows, suppressed, ordered by day, unit, procedure, channel."""
    threshold = min_count()
    qs = DailyAggregate.objects.using(replica_alias())  # a generator: see reads_from_replica
    if first is not None:
        qs = qs.filter(day__gte=first)
    if last is not None:
        qs = qs.filter(day__lte=last)
    nonzero = Q()
    for name in DAILY_COUNTERS:
        nonzero |= ~Q(**{name: 0})
    # The rows are also keyed by the receiving unit: summed over it, the dataset keeps one row per
    # (day, unit, procedure, channel), and suppression applies to what is published, not to a part.
    key = ("day", "unit_id", "procedure_id", "channel", "unit__agency_code", "unit__name", "procedure__code")
    sums = {f"sum_{name}": Sum(name) for name in DAILY_COUNTERS}
    qs = (
        qs.filter(nonzero).values(*key).annotate(**sums).order_by("day", "unit_id", "procedure_id", "channel")
    )
    columns = ("day", "unit__agency_code", "unit__name", "procedure__code", "channel", *sums)
    for values in qs.values_list(*columns).iterator(chunk_size=2000):
        day, unit_code, unit_name, procedure_code, channel, *counts = values
        published = [suppress(int(n), threshold) for n in counts]
        yield {
            "ngay": day.isoformat(),
            "ma_don_vi": unit_code or "",
            "ten_don_vi": unit_name,
            "ma_thu_tuc": procedure_code,
            "hinh_thuc_nop": channel,
            **dict(zip(DAILY_COUNTERS, published, strict=True)),
            "an_so_lieu": int(any(p is None for p in published)),
        }


def procedure_rows() -> Iterator[dict[str, Any]]:
    qs = (
        Procedure.objects.using(replica_alias())
        .order_by("code")
        .values_list("code", "name", "field__name", "level", "service_level", "processing_time_text")
    )
    for code, name, field_name, level, service_level, time_text in qs.iterator(chunk_size=2000):
        yield {
            "ma_thu_tuc": code,
            "ten_thu_tuc": name,
            "linh_vuc": field_name or "",
            "cap_thuc_hien": level,
            "muc_do_dich_vu": service_level,
            "thoi_han": time_text,
        }


def unit_rows() -> Iterator[dict[str, Any]]:
    qs = Unit.objects.using(replica_alias()).filter(is_active=True).order_by("kind", "name")
    for code, name, kind, parent_code in qs.values_list("agency_code", "name", "kind", "parent__agency_code"):
        yield {
            "ma_don_vi": code or "",
            "ten_don_vi": name,
            "loai_don_vi": kind,
            "ma_don_vi_cap_tren": parent_code or "",
        }


def dataset_rows(slug: str, **options: Any) -> Iterator[dict[str, Any]]:
    if slug == "tong-hop-theo-ngay":
        return daily_rows(**options)
    if slug == "thu-tuc":
        return procedure_rows()
    if slug == "don-vi":
        return unit_rows()
    raise KeyError(slug)


def csv_chunks(dataset: Dataset, rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    """CSV text in chunks (header first; BOM so that Excel reads UTF-8); None cells empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(dataset.columns)
    for n, row in enumerate(rows, start=1):
        writer.writerow(["" if row[c] is None else row[c] for c in dataset.columns])
        if n % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def json_chunks(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    """A JSON array, one row per chunk."""
    yield "["
    for n, row in enumerate(rows):
        yield ("," if n else "") + json.dumps(row, ensure_ascii=False)
    yield "]"


def dcat_catalog(*, base_url: str, modified: datetime | date | None) -> dict[str, Any]:
    """The DCAT-AP catalogue (JSON-LD) of the datasets, their CSV and JSON distributions and licence."""
    first, last = daily_range()
    stamp = modified.isoformat() if modified else None
    publisher = {"@type": "foaf:Organization", "foaf:name": PUBLISHER}
    datasets = []
    for d in DATASETS.values():
        entry: dict[str, Any] = {
            "@id": f"{base_url}{d.slug}",
            "@type": "dcat:Dataset",
            "dct:identifier": d.slug,
            "dct:title": {"@value": d.title, "@language": "vi"},
            "dct:description": {"@value": d.description, "@language": "vi"},
            "dcat:keyword": list(d.keywords),
            "dct:publisher": publisher,
            "dct:license": {"@id": LICENSE_URL},
            "dct:language": {"@id": "http://publications.europa.eu/resource/authority/language/VIE"},
            "dct:spatial": "Tỉnh Quảng Ninh, Việt Nam",
            "dct:accrualPeriodicity": {"@id": "http://purl.org/cld/freq/daily"},
            "dcat:distribution": [
                {
                    "@id": f"{base_url}{d.slug}.{ext}",
                    "@type": "dcat:Distribution",
                    "dct:title": f"{d.title} ({ext.upper()})",
                    "dcat:downloadURL": {"@id": f"{base_url}{d.slug}.{ext}"},
                    "dcat:accessURL": {"@id": f"{base_url}{d.slug}.{ext}"},
                    "dcat:mediaType": {"@id": f"https://www.iana.org/assignments/media-types/{media}"},
                    "dct:format": ext.upper(),
                    "dct:license": {"@id": LICENSE_URL},
                }
                for ext, media in (("csv", "text/csv"), ("json", "application/json"))
            ],
        }
        if stamp:
            entry["dct:modified"] = {"@value": stamp, "@type": "xsd:dateTime"}
        if d.slug == "tong-hop-theo-ngay" and first and last:
            entry["dct:temporal"] = {
                "@type": "dct:PeriodOfTime",
                "dcat:startDate": {"@value": first.isoformat(), "@type": "xsd:date"},
                "dcat:endDate": {"@value": last.isoformat(), "@type": "xsd:date"},
            }
        datasets.append(entry)
    catalog: dict[str, Any] = {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@id": base_url,
        "@type": "dcat:Catalog",
        "dct:title": {
            "@value": "Dữ liệu mở về giải quyết thủ tục hành chính tỉnh Quảng Ninh",
            "@language": "vi",
        },
        "dct:description": {
            "@value": "Số liệu tổng hợp, danh mục thủ tục và đơn vị; không chứa dữ liệu cá nhân.",
            "@language": "vi",
        },
        "dct:publisher": publisher,
        "dct:license": {"@id": LICENSE_URL},
        "dcat:dataset": datasets,
    }
    if stamp:
        catalog["dct:modified"] = {"@value": stamp, "@type": "xsd:dateTime"}
    return catalog

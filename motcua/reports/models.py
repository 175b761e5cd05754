"""Report aggregates — số liệu tổng hợp — and the Decision 766 inputs an administrator records.

Reports never scan the dossier table. Every figure of the statistics and of the 766 index is read from
counters kept per (day, unit, procedure, channel) — ``DailyAggregate`` — and per month —
``MonthlyAggregate``, the same counters summed by month so that a month, a quarter or a year reads a
few rows per unit and procedure instead of one per day. Both are written by the same code
(``services.aggregates_apply``), incrementally by the dossier-event subscriber (``subscribers``) and in
bulk by ``motcua reports-rebuild`` (``services.aggregates_rebuild``), which must give identical rows.

What a dossier adds to the counters is a pure function of its events (``facts.dossier_contribution``):
the subscriber of event *n* adds ``contribution(events 1..n) − contribution(events 1..n−1)``, so the
sum over all events telescopes to ``contribution(all events)`` — what the rebuild adds — whatever order
the jobs run in. Each job is atomic (the counters and the job's completion commit together), so a
retried job never counts twice.

``MonthlyUnitAggregate`` and ``MonthlyUnitDuration`` are the monthly rows summed over the procedures
(one per month, unit and channel), written by the same two paths: what a report without a procedure
or field filter reads (the province's month, the index, the rankings).

Counters of two kinds:

* **Flows**, counted on the local day (Asia/Ho_Chi_Minh) something happened: received, refused,
  resolved early / on time / late, withdrawn, stopped, returned, supplement requested, extended…
  Shares that belong to the dossier (digitised, with fees, paid online) are counted on the day it
  was received; electronic results on the day it was resolved.
* **Levels** as deltas (``open_delta``, ``overdue_delta``, ``paused_delta``): +1 on the day a dossier
  enters the condition, −1 on the day it leaves it. The number of dossiers in the condition at the
  end of day D is the sum of the deltas of all days ≤ D ("carried over", "in progress, overdue at the
  end of the period"). A dossier whose due time passes while nothing happens gets its +1 on the
  due day in advance: the function knows the due time, and a later event re-balances it.

The unit of a dossier is its competent unit (cơ quan có thẩm quyền giải quyết, constant for its life);
a unit's report rolls up its descendants (the province all of them). Every row is also keyed by the
dossier's receiving unit (đơn vị tiếp nhận, also constant: the centre or office where it was received
or to which it was submitted online), so that a service centre — which decides nothing — reads the
figures of the dossiers received there (``selectors``, ``received_at``). The receiving unit is nearly
a function of the competent unit (a department's dossiers come through the province centre, a
commune's through its centre), so the extra key adds few rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from motcua.catalog.models import Procedure
from motcua.org.models import Unit

# The flow and level counters, in the order of the columns (``services`` writes them by name).
COUNTERS: tuple[str, ...] = (
    "received",
    "digitised",
    "with_fees",
    "paid_online",
    "refused",
    "supplement_requested",
    "payment_requested",
    "extended",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "rejected",
    "electronic_results",
    "processing_us",
    "withdrawn",
    "stopped",
    "returned",
    "open_delta",
    "overdue_delta",
    "paused_delta",
)


class CountersBase(models.Model):
    """The counters (``COUNTERS``), whatever the key: see the module docstring."""

    # Flows. Signed integers: a delta that corrects an earlier contribution may be negative.
    received = models.IntegerField("tiếp nhận mới", default=0)
    digitised = models.IntegerField("số hóa", default=0)
    with_fees = models.IntegerField("có phí, lệ phí", default=0)
    paid_online = models.IntegerField("thanh toán trực tuyến", default=0)
    refused = models.IntegerField("từ chối tiếp nhận", default=0)
    supplement_requested = models.IntegerField("yêu cầu bổ sung", default=0)
    payment_requested = models.IntegerField("yêu cầu nghĩa vụ tài chính", default=0)
    extended = models.IntegerField("gia hạn", default=0)
    resolved_early = models.IntegerField("giải quyết trước hạn", default=0)
    resolved_on_time = models.IntegerField("giải quyết đúng hạn", default=0)
    resolved_late = models.IntegerField("giải quyết quá hạn", default=0)
    rejected = models.IntegerField("từ chối giải quyết", default=0)
    electronic_results = models.IntegerField("kết quả điện tử", default=0)
    # Working time from receipt to resolution, clock stops excluded, summed (µs of working time).
    processing_us = models.BigIntegerField("tổng thời gian giải quyết (µs làm việc)", default=0)
    withdrawn = models.IntegerField("rút hồ sơ", default=0)
    stopped = models.IntegerField("dừng xử lý", default=0)
    returned = models.IntegerField("trả kết quả", default=0)
    # Levels, as deltas.
    open_delta = models.IntegerField("biến động đang giải quyết", default=0)
    overdue_delta = models.IntegerField("biến động quá hạn", default=0)
    paused_delta = models.IntegerField("biến động tạm dừng", default=0)

    class Meta:
        abstract = True


class AggregateBase(CountersBase):
    """The counters of one (period, unit, procedure, channel)."""

    unit = models.ForeignKey(
        Unit, verbose_name="đơn vị", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    receiving_unit = models.ForeignKey(
        Unit, verbose_name="đơn vị tiếp nhận", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    procedure = models.ForeignKey(
        Procedure, verbose_name="thủ tục", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    channel = models.CharField("hình thức nộp", max_length=16)

    class Meta:
        abstract = True


class DailyAggregate(AggregateBase):
    """Counters of one local day."""

    day = models.DateField("ngày")

    class Meta:
        verbose_name = "số liệu tổng hợp theo ngày"
        verbose_name_plural = "số liệu tổng hợp theo ngày"
        constraints = [
            models.UniqueConstraint(
                fields=["day", "unit", "receiving_unit", "procedure", "channel"],
                name="reports_daily_unique_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.unit_id}/{self.procedure_id}/{self.channel}"


class MonthlyAggregate(AggregateBase):
    """The same counters summed over a month (``month`` is its first day)."""

    month = models.DateField("tháng")

    class Meta:
        verbose_name = "số liệu tổng hợp theo tháng"
        verbose_name_plural = "số liệu tổng hợp theo tháng"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "unit", "receiving_unit", "procedure", "channel"],
                name="reports_monthly_unique_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y} {self.unit_id}/{self.procedure_id}/{self.channel}"


class MonthlyUnitAggregate(CountersBase):
    """``MonthlyAggregate`` summed over the procedures: one row per (month, unit, channel).

    What reports without a procedure or field filter read — the province's or a unit's month, the
    rankings — and above all their levels, which sum every month up to the period: ~300 rows a month
    here against ~40,000 with the procedure. Always equal to ``MonthlyAggregate`` grouped by (month,
    unit, channel): the subscriber adds the same contribution to both, the rebuild derives it from the
    monthly rows with that GROUP BY (``services``). Full-online eligibility depends on the procedure,
    so those two sums are still read from ``MonthlyAggregate``.
    """

    month = models.DateField("tháng")
    unit = models.ForeignKey(
        Unit, verbose_name="đơn vị", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    receiving_unit = models.ForeignKey(
        Unit, verbose_name="đơn vị tiếp nhận", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    channel = models.CharField("hình thức nộp", max_length=16)

    class Meta:
        verbose_name = "số liệu tổng hợp theo tháng và đơn vị"
        verbose_name_plural = "số liệu tổng hợp theo tháng và đơn vị"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "unit", "receiving_unit", "channel"], name="reports_monthly_unit_unique_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y} {self.unit_id}/{self.channel}"


class DurationBase(models.Model):
    """Histogram of processing times of the dossiers resolved (``facts.duration_bucket``)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", db_index=False)
    receiving_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", db_index=False)
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="+", db_index=False)
    channel = models.CharField(max_length=16)
    bucket = models.PositiveSmallIntegerField("khoảng thời gian")
    count = models.IntegerField("số hồ sơ", default=0)

    class Meta:
        abstract = True


class DailyDuration(DurationBase):
    day = models.DateField("ngày")

    class Meta:
        verbose_name = "phân bố thời gian giải quyết theo ngày"
        verbose_name_plural = "phân bố thời gian giải quyết theo ngày"
        constraints = [
            models.UniqueConstraint(
                fields=["day", "unit", "receiving_unit", "procedure", "channel", "bucket"],
                name="reports_daily_duration_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.unit_id}/{self.procedure_id}/{self.channel} [{self.bucket}]: {self.count}"


class MonthlyDuration(DurationBase):
    month = models.DateField("tháng")

    class Meta:
        verbose_name = "phân bố thời gian giải quyết theo tháng"
        verbose_name_plural = "phân bố thời gian giải quyết theo tháng"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "unit", "receiving_unit", "procedure", "channel", "bucket"],
                name="reports_monthly_duration_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y} {self.unit_id}/{self.procedure_id} #{self.bucket}: {self.count}"


class RebuildMark(models.Model):
    """The last rebuild (one row): events with an id up to ``events_upto_id`` are in the aggregates, so
    the subscriber's job for such an event (enqueued before the rebuild, run after it) adds nothing."""

    events_upto_id = models.BigIntegerField("đã tính đến sự kiện")
    since = models.DateField("tính lại từ ngày", null=True, blank=True)
    rebuilt_at = models.DateTimeField("tính lại lúc")
    dossiers = models.BigIntegerField("số hồ sơ đã tính", default=0)

    class Meta:
        verbose_name = "lần tính lại số liệu"
        verbose_name_plural = "lần tính lại số liệu"

    def __str__(self) -> str:
        return f"{timezone.localtime(self.rebuilt_at):%d/%m/%Y %H:%M} (≤ {self.events_upto_id})"


class IndexInput(models.Model):
    """A Decision 766 indicator the system cannot observe, as an administrator recorded it.

    ``value`` is the rate achieved, in percent (0–100), for ``unit`` over [``first_day``, ``last_day``];
    the index of a period takes the most recent input of the unit and indicator whose range overlaps
    the period (``index766.index_inputs_for``). Who entered it and when is kept on the row and in the
    admin's change history.
    """

    unit = models.ForeignKey(Unit, verbose_name="đơn vị", on_delete=models.PROTECT, related_name="+")
    indicator = models.CharField("chỉ số", max_length=16)
    first_day = models.DateField("từ ngày")
    last_day = models.DateField("đến ngày")
    value = models.DecimalField("tỷ lệ đạt (%)", max_digits=6, decimal_places=2)
    source_note = models.TextField("nguồn số liệu", help_text="Văn bản, hệ thống hoặc người cung cấp số liệu")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người nhập",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    entered_at = models.DateTimeField("nhập lúc")

    class Meta:
        verbose_name = "số liệu chỉ số 766 nhập tay"
        verbose_name_plural = "số liệu chỉ số 766 nhập tay"
        ordering = ["-last_day", "unit", "indicator"]
        indexes = [models.Index(fields=["unit", "indicator", "last_day"], name="reports_input_unit_ind")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(value__gte=0, value__lte=100), name="reports_input_value_percent"
            ),
            models.CheckConstraint(
                condition=models.Q(last_day__gte=models.F("first_day")), name="reports_input_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.unit_id} {self.first_day}–{self.last_day}: {self.value}%"


class MonthlyUnitDuration(models.Model):
    """``MonthlyDuration`` summed over the procedures (the histogram of a unit's month), kept like
    ``MonthlyUnitAggregate``."""

    month = models.DateField("tháng")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", db_index=False)
    receiving_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", db_index=False)
    channel = models.CharField(max_length=16)
    bucket = models.PositiveSmallIntegerField("khoảng thời gian")
    count = models.IntegerField("số hồ sơ", default=0)

    class Meta:
        verbose_name = "phân bố thời gian giải quyết theo tháng và đơn vị"
        verbose_name_plural = "phân bố thời gian giải quyết theo tháng và đơn vị"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "unit", "receiving_unit", "channel", "bucket"],
                name="reports_monthly_unit_duration_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y} {self.unit_id}/{self.channel} #{self.bucket}: {self.count}"

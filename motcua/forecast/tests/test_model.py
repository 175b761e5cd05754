"""The model on hand-built cases (no database)."""

from __future__ import annotations

from motcua.forecast.model import (
    Case,
    HistoryIndex,
    HistoryKeys,
    QueueLoad,
    brier,
    calibration_bins,
    forecast,
    stage_of,
)

KEYS = HistoryKeys.of(procedure_id=1, step_order=2, step_count=4, field_id=5, unit_id=9)


def _history(values: list[float]) -> HistoryIndex:
    index = HistoryIndex()
    for value in values:
        index.add(KEYS, value)
    return index.finish()


# 100 closed dossiers needed 20 %–79 % of their budget from step 2 to their result.
HISTORY = _history([0.2 + i * 0.006 for i in range(100)])


def _case(**kwargs: object) -> Case:
    base: dict[str, object] = {
        "dossier_id": 1,
        "keys": KEYS,
        "step_order": 2,
        "step_count": 4,
        "budget_h": 80.0,
        "remaining_h": 72.0,
        "elapsed_in_step_h": 0.0,
    }
    return Case(**(base | kwargs))  # type: ignore[arg-type]


def test_plenty_of_time_and_an_empty_queue_is_low_risk() -> None:
    load = QueueLoad(size=1, throughput=4.0, typical_step_days=1.0)
    result = forecast(_case(), history=HISTORY, load=load, day_hours=8)
    assert result.probability < 0.05
    assert result.expected_remaining_h is not None
    assert 30 < result.expected_remaining_h < 45
    assert result.reason.startswith("còn 9 ngày làm việc")


def test_overdue_is_certain() -> None:
    result = forecast(_case(remaining_h=-12.0), history=HISTORY, load=None, day_hours=8)
    assert result.probability == 1.0
    assert result.reason == "đã quá hạn 1,5 ngày làm việc"


def test_long_queue_and_slow_throughput_raise_the_risk() -> None:
    case = _case(remaining_h=40.0)
    light = forecast(case, history=HISTORY, load=QueueLoad(1, 4.0, 1.0), day_hours=8)
    heavy = forecast(case, history=HISTORY, load=QueueLoad(23, 4.0, 1.0), day_hours=8)
    assert heavy.probability > light.probability + 0.3
    assert heavy.reason.startswith("hàng chờ dồn: 23 hồ sơ (thường ~4), xử lý ~4/ngày; còn 5 ngày làm việc")
    assert (
        heavy.factors["queue_extra_h"] == (23 - 4 - 2) / 4 * 8
    )  # 4 a day for a day each: 4 ± 2 is the steady queue


def test_a_queue_within_a_steady_queues_spread_adds_nothing() -> None:
    case = _case(remaining_h=40.0)
    # 4 a day for a day each: a steady queue holds 4, give or take √4.
    usual = forecast(case, history=HISTORY, load=QueueLoad(6, 4.0, 1.0), day_hours=8)
    alone = forecast(case, history=HISTORY, load=None, day_hours=8)
    assert usual.probability == alone.probability


def test_a_paused_dossier_ignores_the_queue_and_has_no_expected_finish() -> None:
    case = _case(paused="supplement", remaining_h=80.0)
    result = forecast(case, history=HISTORY, load=QueueLoad(51, 1.0, 0.5), day_hours=8)
    assert result.probability < 0.05
    assert result.expected_remaining_h is None
    assert "tạm dừng" in result.reason
    assert "bổ sung" in result.reason


def test_time_already_spent_at_the_step_conditions_the_history() -> None:
    # Histories need 20–80 % of the budget; 16 h (20 %) left. Just arrived at the step: nearly every
    # history needs more. Half the budget already spent here: P(W > 0.7 | W > 0.5) ≈ 1/3.
    fresh = forecast(_case(remaining_h=16.0), history=HISTORY, load=None, day_hours=8)
    worked = forecast(
        _case(remaining_h=16.0, elapsed_in_step_h=40.0), history=HISTORY, load=None, day_hours=8
    )
    assert fresh.probability > 0.95
    assert 0.25 < worked.probability < 0.45


def test_thin_history_shrinks_towards_the_coarser_levels() -> None:
    index = HistoryIndex()
    other = HistoryKeys.of(procedure_id=2, step_order=2, step_count=4, field_id=5, unit_id=9)
    for i in range(200):  # the field: everyone needs 90 % of the budget
        index.add(other, 0.9 + i * 0.0001)
    index.add(KEYS, 0.1)  # the procedure: one quick dossier
    index.finish()
    result = forecast(_case(remaining_h=40.0), history=index, load=None, day_hours=8)
    assert result.probability > 0.7
    assert result.factors["level"] == "f"
    assert "ước lượng theo lĩnh vực" in result.reason


def test_without_any_history_the_prior_compares_time_left_with_work_ahead() -> None:
    empty = HistoryIndex()
    plenty = forecast(_case(remaining_h=76.0, step_order=4), history=empty, load=None, day_hours=8)
    tight = forecast(_case(remaining_h=4.0, step_order=1), history=empty, load=None, day_hours=8)
    assert plenty.probability < 0.1 < 0.9 < tight.probability


def test_stages_split_the_process_in_quarters() -> None:
    assert [stage_of(k, 8) for k in range(1, 9)] == [0, 0, 1, 1, 2, 2, 3, 3]
    assert stage_of(None, 5) == 2


def test_brier_and_bins() -> None:
    pairs = [(0.05, False), (0.05, False), (0.95, True), (0.95, False)]
    assert round(brier(pairs), 4) == round((0.0025 * 3 + 0.9025) / 4, 4)
    bins = calibration_bins(pairs)
    assert [(b.count, b.observed_late) for b in bins] == [(2, 0.0), (2, 0.5)]

"""``motcua reports-rebuild``: refuses bad options in Vietnamese without touching the rows."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from motcua.dossiers.tests.factories import World
from motcua.reports.models import DailyAggregate, RebuildMark
from motcua.reports.tests.conftest import aggregate_jobs_run
from motcua.reports.tests.test_statistics import build_march

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--since", "01/11/2026"], "--since phải là ngày dạng YYYY-MM-DD"),
        (["--workers", "0"], "--workers phải là số nguyên dương"),
    ],
)
def test_bad_options_change_nothing(world: World, clock: Any, option: list[str], message: str) -> None:
    build_march(world, clock)
    aggregate_jobs_run()
    before = sorted(DailyAggregate.objects.values_list("day", "unit_id", "procedure_id", "received"))
    with pytest.raises(CommandError, match=message):
        call_command("reports_rebuild", *option, verbosity=0)
    assert sorted(DailyAggregate.objects.values_list("day", "unit_id", "procedure_id", "received")) == before
    assert not RebuildMark.objects.exists()


def test_rebuild_reports_what_it_wrote(world: World, clock: Any) -> None:
    build_march(world, clock)
    out = StringIO()
    call_command("reports_rebuild", "--batch", "4", "--workers", "1", verbosity=0, stdout=out)
    assert out.getvalue().startswith("Đã tính lại 10 hồ sơ,")
    assert RebuildMark.objects.get().dossiers == 10
    assert DailyAggregate.objects.exists()

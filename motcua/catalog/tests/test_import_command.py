"""``motcua import-catalog PATH [--skip-invalid]``."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.catalog.models import Procedure
from motcua.catalog.tests.test_import_fixtures import detailed, row, write_catalog

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_catalog", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_imports_and_reports_counts(tmp_path: Path) -> None:
    root = write_catalog(tmp_path, [row("1.000001"), row("1.000002")], [detailed("1.000003")])

    out, _ = _run(str(root))
    assert "3 thủ tục: 3 mới, 0 cập nhật, 0 không đổi" in out

    out, _ = _run(str(root))
    assert "0 mới, 0 cập nhật, 3 không đổi" in out


def test_command_fails_without_importing_when_data_is_invalid(tmp_path: Path) -> None:
    root = write_catalog(tmp_path, [row("1.000001"), '{"code": "1.000002", "name": ""}'])
    err = StringIO()

    with pytest.raises(CommandError, match="--skip-invalid"):
        call_command("import_catalog", str(root), stdout=StringIO(), stderr=err)

    assert "procedures.jsonl:2: name: không được để trống" in err.getvalue()
    assert Procedure.objects.count() == 0


def test_command_skip_invalid_lists_skipped_rows(tmp_path: Path) -> None:
    root = write_catalog(tmp_path, [row("1.000001"), "{broken"])

    out, err = _run(str(root), "--skip-invalid")

    assert "1 thủ tục: 1 mới" in out
    assert "procedures.jsonl:2" in err
    assert "1 dòng/tệp lỗi đã bỏ qua" in err
    assert list(Procedure.objects.values_list("code", flat=True)) == ["1.000001"]


def test_command_exit_status_is_non_zero(tmp_path: Path) -> None:
    """From the command line a CommandError becomes exit status 1 (what `make run` would see)."""
    from django.core.management import ManagementUtility

    root = write_catalog(tmp_path, ["{broken"])
    utility = ManagementUtility(["motcua", "import_catalog", str(root), "--skip-checks"])
    with pytest.raises(SystemExit) as exited:
        utility.execute()
    assert exited.value.code == 1


def test_progress_bar_goes_to_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from motcua.catalog.services import catalog_import

    report = catalog_import(path=write_catalog(tmp_path, [row("1.000001")]), progress=True)

    captured = capsys.readouterr()
    assert report.created == 1
    assert captured.out == ""
    assert "thủ tục" in captured.err  # tqdm's unit label

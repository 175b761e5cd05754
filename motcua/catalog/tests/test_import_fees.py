"""What the importer derives from the real catalogue: fee terms and procedures of other provinces."""

from __future__ import annotations

import pytest

from motcua.catalog.models import FeeBasis, FeeChannel, Procedure
from motcua.catalog.services.versioning import procedure_content_hash

pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.usefixtures("real_catalogue")]


def test_fee_terms_are_derived_at_import():
    thuong_tru = list(Procedure.objects.get(code="1.004222").fees.order_by("order"))
    assert [(f.amount_vnd, f.channel) for f in thuong_tru] == [
        (20_000, FeeChannel.COUNTER),
        (10_000, FeeChannel.ONLINE),
    ]
    assert Procedure.objects.get(code="2.000815").fees.get().basis == FeeBasis.PER_PAGE
    copy = Procedure.objects.get(code="1.001193").fees.get(order=2)
    assert (copy.conditional, copy.case_name) == (True, "nếu có yêu cầu")


def test_other_provinces_are_marked_at_import_and_versioned():
    elsewhere = Procedure.objects.get(code="1.006666")
    assert elsewhere.applies_here is False
    assert elsewhere.versions.get(number=elsewhere.version).snapshot["applies_here"] is False
    here = Procedure.objects.get(code="1.004194")
    assert here.applies_here is True
    assert "applies_here" not in here.versions.get(number=here.version).snapshot


@pytest.mark.parametrize("code", ["1.004222", "1.006666", "1.001193"])
def test_the_admin_path_hashes_the_imported_content_alike(code: str):
    """An edit in the admin compares ``procedure_content`` with what the importer stored: the new
    columns must hash the same on both paths, or every save would look like a change."""
    procedure = Procedure.objects.get(code=code)
    assert procedure_content_hash(procedure=procedure) == procedure.content_hash

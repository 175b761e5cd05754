"""The 766 inputs' admin records who entered each value and when, whatever the form says."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from motcua.dossiers.tests.factories import World
from motcua.org.tests.factories import UserFactory
from motcua.reports.models import IndexInput

pytestmark = pytest.mark.django_db


def test_an_input_records_its_author_and_only_unobserved_indicators_are_offered(
    client: Any, world: World
) -> None:
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    add = reverse("admin:reports_indexinput_add")
    form = client.get(add)
    assert form.status_code == 200
    assert 'value="1.1"' in form.content.decode()
    assert 'value="2.1"' not in form.content.decode()  # computed by the system: not an input
    data = {
        "unit": world.commune_a.pk,
        "indicator": "1.1",
        "first_day": "2026-03-01",
        "last_day": "2026-03-31",
        "value": "92.5",
        "source_note": "Báo cáo của Văn phòng UBND tỉnh",
    }
    assert client.post(add, data).status_code == 302
    entered = IndexInput.objects.get()
    assert (entered.entered_by, entered.indicator) == (admin, "1.1")
    assert entered.entered_at is not None
    assert LogEntry.objects.filter(object_id=str(entered.pk)).exists()
    assert client.post(add, {**data, "indicator": "2.1"}).status_code == 200  # refused
    assert client.post(add, {**data, "value": "120"}).status_code == 200  # not a percent
    assert IndexInput.objects.count() == 1

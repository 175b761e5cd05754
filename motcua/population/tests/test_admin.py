"""The audit of lookups in the admin: listed, never added, changed or deleted."""

from __future__ import annotations

from django.test import Client

from motcua.dossiers.tests.factories import World
from motcua.notifications.models import ChannelDelivery, DeliveryStatus
from motcua.population.models import LookupOutcome, PopulationLookup


def test_lookups_and_sends_are_listed_read_only(world: World, admin_client: Client) -> None:
    PopulationLookup.objects.create(
        actor=world.lan, personal_id="022192004567", purpose="Tiếp nhận hồ sơ", outcome=LookupOutcome.FOUND
    )
    ChannelDelivery.objects.create(
        key="k", channel="zalo", dossier_code="X-1", recipient="84912345678", status=DeliveryStatus.UNCERTAIN
    )
    page = admin_client.get("/admin/population/populationlookup/")
    assert page.status_code == 200
    assert "022192004567" in page.content.decode()
    assert admin_client.get("/admin/population/populationlookup/add/").status_code == 403
    sends = admin_client.get("/admin/notifications/channeldelivery/?status=uncertain")
    assert sends.status_code == 200
    assert "X-1" in sends.content.decode()

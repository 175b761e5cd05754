from __future__ import annotations

from django.apps import AppConfig


class DatastoreConfig(AppConfig):
    """Personal data store — kho quản lý dữ liệu điện tử: a subscriber of dossier events."""

    name = "motcua.datastore"
    label = "datastore"
    verbose_name = "Kho quản lý dữ liệu điện tử"

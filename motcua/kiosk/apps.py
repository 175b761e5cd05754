from __future__ import annotations

from django.apps import AppConfig


class KioskConfig(AppConfig):
    """The kiosk screen — màn hình kiosk tra cứu: a touch screen at a centre, no login."""

    name = "motcua.kiosk"
    label = "kiosk"
    verbose_name = "Kiosk"

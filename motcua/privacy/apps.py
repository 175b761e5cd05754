from __future__ import annotations

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class PrivacyConfig(AppConfig):
    """Personal-data protection — bảo vệ dữ liệu cá nhân (Decree 13/2023/NĐ-CP), docs/privacy.md."""

    name = "motcua.privacy"
    label = "privacy"
    verbose_name = "Bảo vệ dữ liệu cá nhân"

    def ready(self) -> None:
        # Each app that holds personal data declares in its own ``personal_data`` module what the
        # export of a person's data contains and what it deletes past retention (``registry``). This
        # app sits below the engine, the extensions and the channels, so it imports none of them by
        # name; loading the modules here makes the registry the same in web processes and workers.
        autodiscover_modules("personal_data")

from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class SigninConfig(AppConfig):
    default = True
    name = "motcua.signin"
    label = "signin"
    verbose_name = "Đăng nhập cán bộ"

    def ready(self) -> None:
        # Deploy checks: second factor required, lockout in place.
        from motcua.signin import checks  # noqa: F401


class OfficialAdminConfig(admin_apps.AdminConfig):
    """Django's admin whose site sends logins to the officials' sign-in and requires the second factor."""

    default = False  # named in INSTALLED_APPS in place of django.contrib.admin; SigninConfig is the app's
    default_site = "motcua.signin.admin_site.OfficialAdminSite"

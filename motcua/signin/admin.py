"""Admin of the sign-in: the unlock audit, read-only (unlocks are made on the back-office page).

django-otp's device admin is taken down: it shows each authenticator's secret key, and officials
enrol on their own security page. django-axes' admin is too (English only, no Vietnamese catalogue):
lockouts are seen and released on the back office's unlock page, which records who released whom.
"""

from __future__ import annotations

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.signin.models import LockoutRelease

for _model in (TOTPDevice, AccessAttempt, AccessLog, AccessFailureLog):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(LockoutRelease)
class LockoutReleaseAdmin(admin.ModelAdmin):
    list_display = ("released_at", "username", "ip_address", "released_by", "attempts_cleared")
    list_select_related = ("released_by",)
    search_fields = ("username", "released_by__username")
    date_hierarchy = "released_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

"""The admin site (``django.contrib.admin`` with ``OfficialAdminConfig``): one door, one second factor.

Its own login form would take a password alone, past the lockout's page and the second factor: the
admin's login sends to the officials' sign-in instead (which returns to the admin), and where the second
factor is required only a session that passed it gets in (django-otp's ``is_verified``, as its
``OTPAdminSite`` does).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse


class OfficialAdminSite(admin.AdminSite):
    site_header = "motcua — Quản trị hệ thống"
    site_title = "motcua"

    def has_permission(self, request: HttpRequest) -> bool:
        if not super().has_permission(request):
            return False
        if settings.MOTCUA_OFFICIAL_2FA_REQUIRED:
            return bool(request.user.is_verified())  # type: ignore[union-attr]
        return True

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if request.user.is_authenticated:
            # Signed in but not an admin: the sign-in would send them straight back here.
            return render(request, "signin/admin_forbidden.html", status=403)
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index", current_app=self.name)
        return redirect_to_login(next_url, reverse("backoffice:login"))

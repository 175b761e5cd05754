from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from motcua.api import api
from motcua.core.views import healthz

admin.site.site_header = "motcua — Quản trị hệ thống"
admin.site.site_title = "motcua"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("can-bo/", include("motcua.backoffice.urls")),
    path("", include("motcua.portal.urls")),
    path("", include("motcua.catalog.urls")),
]

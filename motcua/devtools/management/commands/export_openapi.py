"""``motcua export-openapi``: print the OpenAPI document committed as docs/openapi.json."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from motcua.devtools.openapi import openapi_document


class Command(BaseCommand):
    help = "In tài liệu OpenAPI của API v1 (docs/openapi.json)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(openapi_document(), ending="")

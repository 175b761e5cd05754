from __future__ import annotations

import secrets
from typing import Any

from django.db import migrations, models


def stamp_create(apps: Any, schema_editor: Any) -> None:
    apps.get_model("core", "ReferenceDataVersion").objects.create(id=1, stamp=secrets.token_hex(16))


class Migration(migrations.Migration):
    initial = True

    dependencies: list[tuple[str, str]] = []

    operations = [
        migrations.CreateModel(
            name="ReferenceDataVersion",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("stamp", models.CharField(max_length=32)),
            ],
            options={"verbose_name": "phiên bản dữ liệu dùng chung"},
        ),
        migrations.RunPython(stamp_create, migrations.RunPython.noop),
    ]

"""Developer tools — công cụ phát triển: demo data, simulated histories, the OpenAPI export.

They sit above every other app (the import contract in ``.importlinter``) so that nothing in the product
depends on them; their commands are ``motcua load-demo``, ``motcua simulate`` and
``motcua export-openapi``.
"""

from __future__ import annotations

from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    name = "motcua.devtools"
    label = "devtools"
    verbose_name = "Công cụ phát triển"

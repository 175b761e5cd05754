"""Fixtures of the developer-tools tests, shared with the apps whose data they build."""

from __future__ import annotations

from motcua.dossiers.tests.conftest import world
from motcua.org.tests.conftest import _fast_password_hasher

__all__ = ["_fast_password_hasher", "world"]

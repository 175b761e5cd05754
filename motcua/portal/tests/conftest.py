"""Fixtures of the portal tests: the dossier engine's test world, a clean rate-limit cache, and the
sandbox identity provider as a real process (``tests/sandbox_idp.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from motcua.dossiers.tests.factories import World, world_build
from tests.caching import cache_clear_if_database
from tests.sandbox_idp import SandboxIdp, idp_start

TEST_CALLBACK = "http://testserver/dang-nhap/vneid/callback"
TEST_HOME = "http://testserver/"


@pytest.fixture
def world(db: None) -> World:
    return world_build()


@pytest.fixture(autouse=True)
def _clean_cache(request: pytest.FixtureRequest):
    cache_clear_if_database(request)
    yield
    cache_clear_if_database(request)


@pytest.fixture(scope="session")
def sandbox_idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxIdp]:
    """The sandbox identity provider (node sandbox/idp/server.js), one per test process, on a free port;
    it sends browsers back to Django's test client's host (``testserver``)."""
    idp = idp_start(
        redirect_uris=[TEST_CALLBACK],
        post_logout_redirect_uris=[TEST_HOME],
        log_dir=tmp_path_factory.mktemp("idp"),
    )
    yield idp
    idp.stop()


@pytest.fixture
def vneid(settings: Any, sandbox_idp: SandboxIdp) -> SandboxIdp:
    """The portal's login pointed at the sandbox provider."""
    settings.MOTCUA_OIDC_ISSUER = sandbox_idp.issuer
    settings.MOTCUA_OIDC_CLIENT_ID = sandbox_idp.client_id
    settings.MOTCUA_OIDC_CLIENT_SECRET = sandbox_idp.client_secret
    settings.MOTCUA_OIDC_REDIRECT_URI = TEST_CALLBACK
    settings.MOTCUA_OIDC_POST_LOGOUT_REDIRECT_URI = TEST_HOME
    return sandbox_idp

"""Project-wide pytest configuration: hypothesis profiles, and reference data shared across tests.

Shared reference data. Loading the real catalogue (``data/catalog``, 2,403 procedures) or the
province's units takes seconds; doing it in every test that reads them made up much of the suite's
time. A test asks for a shared data set by naming its fixture (``real_catalogue``,
``quang_ninh_units``); each test process (each xdist worker) then loads it once, in one outer
transaction on the test database, and the tests run inside it: each test's own transaction
(pytest-django's ``db``) is a savepoint in it, so a test's writes still roll back and never reach the
next test. The outer transaction is rolled back as soon as a test needs another combination of data
sets (or none) and at the end of the session; the tests are ordered so that those needing the same
data sets run one after the other (after the other database tests, before the transactional ones,
which cannot run inside a transaction), so each set is loaded about once per worker.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings

# Property tests hit the database-backed calendar; keep them deterministic in CI and fast locally.
settings.register_profile(
    "default", deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci", deadline=None, max_examples=400, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if os.environ.get("CI") else "default")


def _real_catalogue_load() -> None:
    from django.conf import settings as django_settings

    from motcua.catalog.services import catalog_import

    catalog_import(path=django_settings.PROJECT_DIR / "data" / "catalog")


def _quang_ninh_units_load() -> None:
    from motcua.org.services import units_load_quang_ninh

    units_load_quang_ninh()


def _api_world_load() -> None:
    from tests.api.seed import api_world_seed

    api_world_seed()


def _authz_world_load() -> None:
    from tests.authz.world import authz_world_load

    authz_world_load()


# Fixture name → loader. The loaders run in the outer transaction, in this order.
SHARED_DATA: dict[str, Callable[[], None]] = {
    "quang_ninh_units": _quang_ninh_units_load,
    "real_catalogue": _real_catalogue_load,
    "api_world": _api_world_load,
    "authz_world_shared": _authz_world_load,
}


def _caches_clear() -> None:
    # Per-process caches follow the reference-data stamp, but the search index checks it only
    # periodically and some tests stretch that period: start each data set from a clean slate.
    from motcua.catalog.search import index_invalidate
    from motcua.core.selectors import reference_data_cache_clear

    index_invalidate()
    reference_data_cache_clear()


class SharedData:
    """The shared data sets currently loaded, in one open outer transaction (see the module docstring)."""

    def __init__(self, blocker: Any) -> None:
        self.blocker = blocker
        self.loaded: frozenset[str] = frozenset()
        self._atomic: transaction.Atomic | None = None

    def require(self, names: frozenset[str]) -> None:
        if names == self.loaded:
            return
        self.release()
        if not names:
            return
        with self.blocker.unblock():
            self._atomic = transaction.atomic()
            self._atomic.__enter__()
            try:
                for name, load in SHARED_DATA.items():
                    if name in names:
                        load()
            except BaseException:
                self.release()
                raise
        self.loaded = names
        _caches_clear()

    def release(self) -> None:
        if self._atomic is None:
            return
        with self.blocker.unblock():
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)
        self._atomic = None
        self.loaded = frozenset()
        _caches_clear()


_shared: SharedData | None = None
_needed: frozenset[str] = frozenset()


def _needs(item: pytest.Item) -> frozenset[str]:
    fixtures = getattr(item, "fixturenames", ())
    return frozenset(name for name in SHARED_DATA if name in fixtures)


def _transactional(item: pytest.Item) -> bool:
    # The same test as pytest-django's ordering (transactional tests run after the others).
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    flagged = marker is not None and bool(
        marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")
    )
    return flagged or "transactional_db" in fixtures or "live_server" in fixtures


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """After pytest-django's order (database tests, transactional tests, the rest): the tests needing
    shared data go last among the database tests, grouped by the data sets they need."""

    def group(item: pytest.Item) -> tuple[int, tuple[str, ...]]:
        needs = _needs(item)
        if needs and _transactional(item):
            raise pytest.UsageError(f"{item.nodeid}: shared data cannot serve a transactional test")
        return (0 if needs else 1, tuple(sorted(needs)))

    first_other = next((i for i, item in enumerate(items) if _transactional(item)), len(items))
    database_tests = [item for item in items[:first_other] if not _needs(item)]
    shared = sorted((item for item in items[:first_other] if _needs(item)), key=group)
    rest = items[first_other:]
    for item in rest:
        group(item)  # refuses shared data in transactional tests
    items[:] = [*database_tests, *shared, *rest]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # Runs before the test's fixtures: the outer transaction must be open before its own one starts.
    global _needed
    _needed = _needs(item)
    if _shared is not None:
        _shared.require(_needed)


@pytest.fixture(scope="session")
def _shared_data(django_db_setup: None, django_db_blocker: Any) -> Iterator[SharedData]:
    global _shared
    _shared = SharedData(django_db_blocker)
    _shared.require(_needed)
    yield _shared
    _shared.release()
    _shared = None


@pytest.fixture(scope="session")
def real_catalogue(_shared_data: SharedData) -> None:
    """The real catalogue (``data/catalog``) imported by the importer, shared by the tests that read it."""


@pytest.fixture(scope="session")
def quang_ninh_units(_shared_data: SharedData) -> None:
    """The units of Quảng Ninh (``org.services.units_load_quang_ninh``), shared by the tests that use them."""


@pytest.fixture(scope="session")
def api_world(_shared_data: SharedData) -> None:
    """The personas, tokens and dossiers the API robustness tests hit (``tests.api.seed``)."""


@pytest.fixture(scope="session")
def authz_world_shared(_shared_data: SharedData) -> None:
    """The personas and objects of the authorisation matrix (``tests/authz/world.py``)."""


# --- Outside services (population database, SMS, Zalo): the stand-in process ----------------------
# By default no test talks to an outside service: SMS and Zalo are off and the population database
# points at a closed port. A test that needs them asks for ``standins_on``: one stand-in process per
# test process (xdist worker), started over the network on a free port (tests/standins.py).


@pytest.fixture(autouse=True)
def _outside_services_off(monkeypatch: pytest.MonkeyPatch) -> None:
    # Patched on the settings object itself, not through pytest-django's ``settings`` (an override
    # whose holder has no SETTINGS_MODULE, which the worker-process tests pass on to their workers).
    from django.conf import settings as django_settings

    monkeypatch.setattr(django_settings, "MOTCUA_SMS_BACKEND", "none")
    monkeypatch.setattr(django_settings, "MOTCUA_ZALO_BACKEND", "none")
    monkeypatch.setattr(django_settings, "MOTCUA_POPULATION_URL", "http://127.0.0.1:9/dancu")


@pytest.fixture(scope="session")
def standins(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from tests.standins import Standins

    process = Standins.start(tmp_path_factory.mktemp("standins") / "standins.sqlite3")
    yield process
    process.stop()


@pytest.fixture
def standins_on(standins: Any, settings: Any) -> Any:
    """Every outside service pointed at the stand-in process, with its development credentials."""
    settings.MOTCUA_SMS_BACKEND = "esms"
    settings.MOTCUA_ZALO_BACKEND = "zns"
    settings.MOTCUA_SMS_URL = f"{standins.url}/esms"
    settings.MOTCUA_ZALO_URL = f"{standins.url}/zalo"
    settings.MOTCUA_POPULATION_URL = f"{standins.url}/dancu"
    settings.MOTCUA_SMS_API_KEY, settings.MOTCUA_SMS_SECRET_KEY = "motcua-dev-key", "motcua-dev-secret"
    settings.MOTCUA_ZALO_ACCESS_TOKEN = "motcua-dev-zalo-token"
    settings.MOTCUA_POPULATION_CLIENT_ID = "motcua-dev"
    settings.MOTCUA_POPULATION_CLIENT_SECRET = "motcua-dev-secret"
    return standins


# S3-compatible object storage (MOTCUA_STORAGE=s3): a real server process, moto in server mode, one per
# test process; ``s3_storage`` points Django's default storage at a fresh bucket of it (tests/s3.py).
@pytest.fixture(scope="session")
def moto_s3() -> Iterator[Any]:
    from tests.s3 import MotoS3

    server = MotoS3.start()
    yield server
    server.stop()


@pytest.fixture
def s3_storage(moto_s3: Any, settings: Any) -> Any:
    """Django's default storage is the S3 bucket ``motcua-<n>`` of the moto server for this test."""
    bucket = f"motcua-{next(_buckets)}"
    moto_s3.client().create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": moto_s3.storage_options(bucket)},
    }
    return moto_s3, bucket


_buckets = itertools.count(1)


@pytest.fixture
def payment_gateways_on(standins: Any, settings: Any) -> Any:
    """The payment gateways pointed at the stand-ins' sandbox bank, with its development credentials."""
    settings.MOTCUA_VNPAY_URL = f"{standins.url}/vnpay/paymentv2/vpcpay.html"
    settings.MOTCUA_VNPAY_API_URL = f"{standins.url}/vnpay/merchant_webapi/api/transaction"
    settings.MOTCUA_VNPAY_TMN_CODE, settings.MOTCUA_VNPAY_HASH_SECRET = "MOTCUA01", "MOTCUASANDBOXSECRET"
    settings.MOTCUA_DVCQG_PAYMENT_URL = f"{standins.url}/dvcqg-payment"
    settings.MOTCUA_DVCQG_PAYMENT_CLIENT_ID = "motcua-qn"
    settings.MOTCUA_DVCQG_PAYMENT_SECRET = "motcua-dvcqg-sandbox-secret"
    return standins


# --- Query counts without the rate-limit counters ---------------------------------------------------
# The rate limits count in the shared cache, a table of the database (core.cache): an API request or an
# upload runs a few statements on it before its view. They are the edge's, not the view's: the query
# budgets the tests declare (``django_assert_num_queries``) are the views' and leave them out, as they
# left out the counters while those lived in process memory (core/tests/test_shared_rate_limits.py
# checks the filter).


@contextmanager
def _assert_view_queries(
    config: pytest.Config, num: int, exact: bool = True, connection: Any = None, info: str | None = None
) -> Iterator[Any]:
    from django.db import connection as default_connection
    from django.test.utils import CaptureQueriesContext

    from tests.caching import view_queries

    with CaptureQueriesContext(connection or default_connection) as context:
        yield context
        queries = view_queries(context.captured_queries)
        if (len(queries) != num) if exact else (len(queries) > num):
            message = (
                f"Expected to perform {num} queries {'' if exact else 'or less '}but {len(queries)} were done"
            )
            if info:
                message += f"\n{info}"
            message += "\n\nQueries:\n========\n\n" + "\n\n".join(queries)
            pytest.fail(message)


@pytest.fixture
def django_assert_num_queries(pytestconfig: pytest.Config) -> Callable[..., Any]:
    return partial(_assert_view_queries, pytestconfig)


@pytest.fixture
def django_assert_max_num_queries(pytestconfig: pytest.Config) -> Callable[..., Any]:
    return partial(_assert_view_queries, pytestconfig, exact=False)

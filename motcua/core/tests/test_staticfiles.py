"""Production's static files storage without ``collectstatic``: pages still answer (core/staticfiles.py)."""

from __future__ import annotations

import logging

import pytest
from django.test import override_settings

from motcua.core.checks import check_static_manifest


@pytest.fixture
def production_static(settings, tmp_path):
    """The production storage on an empty STATIC_ROOT: collectstatic never ran."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "motcua.core.staticfiles.FallbackManifestStaticFilesStorage"},
    }
    settings.STATIC_ROOT = tmp_path
    settings.DEBUG = False
    return tmp_path


@pytest.mark.django_db
def test_pages_answer_without_a_manifest_and_log_each_missing_name_once(client, production_static, caplog):
    with caplog.at_level(logging.ERROR, logger="motcua.core.staticfiles"):
        first = client.get("/")
        second = client.get("/")
    assert first.status_code == 200
    assert second.status_code == 200
    assert b'href="/static/css/' in first.content  # the unhashed URL
    missing = [r.args[0] for r in caplog.records if "not in the manifest" in r.getMessage()]
    assert missing, caplog.text
    assert len(missing) == len(set(missing))  # once per name, not per request


def test_unreadable_manifest_is_no_manifest(production_static, caplog):
    (production_static / "staticfiles.json").write_text('{"version": "0.9"}')
    with override_settings(STATIC_ROOT=production_static):
        from django.contrib.staticfiles.storage import staticfiles_storage

        with caplog.at_level(logging.ERROR, logger="motcua.core.staticfiles"):
            assert staticfiles_storage.url("css/app.css") == "/static/css/app.css"
        assert "manifest unreadable" in caplog.text
        assert [e.id for e in check_static_manifest(None)] == ["motcua.E060"]


def test_deploy_check_requires_the_manifest(production_static):
    errors = check_static_manifest(None)
    assert [e.id for e in errors] == ["motcua.E060"]
    assert "collectstatic" in errors[0].hint


def test_deploy_check_passes_with_a_manifest(production_static):
    # The manifest as collectstatic writes it (format 1.1), for one file.
    (production_static / "staticfiles.json").write_text(
        '{"paths": {"css/app.css": "css/app.0123456789ab.css"}, "version": "1.1", "hash": "0123456789ab"}'
    )
    with override_settings(STATIC_ROOT=production_static):  # a fresh storage reads it
        assert check_static_manifest(None) == []
        from django.contrib.staticfiles.storage import staticfiles_storage

        assert staticfiles_storage.url("css/app.css") == "/static/css/app.0123456789ab.css"


def test_development_storage_needs_no_manifest():
    assert check_static_manifest(None) == []


def test_whitenoise_tells_hashed_names_from_the_manifest_without_logging(production_static, caplog):
    """Start-up's guesses (``htmx.min.js`` → ``htmx.js``) are not missing files: no ERROR for them."""
    from motcua.core.staticfiles import ManifestWhiteNoiseMiddleware

    (production_static / "vendor").mkdir()
    (production_static / "staticfiles.json").write_text(
        '{"paths": {"vendor/htmx.min.js": "vendor/htmx.min.0123456789ab.js"}, "version": "1.1", "hash": "x"}'
    )
    with override_settings(STATIC_ROOT=production_static), caplog.at_level(logging.ERROR):
        middleware = ManifestWhiteNoiseMiddleware(lambda request: None)
        assert middleware.immutable_file_test("", "/static/vendor/htmx.min.0123456789ab.js") is True
        assert middleware.immutable_file_test("", "/static/vendor/htmx.min.js") is False
        assert middleware.immutable_file_test("", "/media/vendor/htmx.min.0123456789ab.js") is False
    assert "not in the manifest" not in caplog.text

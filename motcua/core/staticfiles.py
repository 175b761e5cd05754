"""Static files in production: WhiteNoise's hashed, compressed copies — and never a 500 without them.

Production serves the static files collected by ``motcua collectstatic --noinput`` (``make
collectstatic``) into ``STATIC_ROOT``, under content-hashed names listed in ``staticfiles.json`` (the
manifest). WhiteNoise's storage raises ``ValueError`` for any name the manifest lacks — every
``{% static %}`` of every page when ``collectstatic`` was never run, one page when a file was added
after it — and the page becomes a 500 (issue 15's probe: every HTML page).

``FallbackManifestStaticFilesStorage`` answers the unhashed URL instead and logs an ERROR, once per
name and process: a page without its stylesheet still lets a citizen read a procedure or track a
dossier, a 500 lets nobody do anything, and the error tells the operator what to fix. The same
missing manifest fails ``motcua check --deploy`` (``motcua.E060``) and ``/healthz/ready`` (503), so a
deployment that skipped the step is caught before, and while, it serves.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.contrib.staticfiles.storage import ManifestStaticFilesStorage, staticfiles_storage
from whitenoise.middleware import WhiteNoiseMiddleware  # type: ignore[import-untyped]
from whitenoise.storage import CompressedManifestStaticFilesStorage  # type: ignore[import-untyped]

logger = logging.getLogger(__name__)


class FallbackManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's manifest storage, answering the unhashed name for a name its manifest lacks."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._missing_logged: set[str] = set()
        self._missing_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def load_manifest(self) -> tuple[dict[str, str], str]:
        # An unreadable manifest (truncated copy, older format) raised at the first {% static %} of
        # every page; treated as no manifest, which the deploy check and readiness report.
        try:
            return super().load_manifest()
        except ValueError as exc:
            logger.error("Static files manifest unreadable, serving unhashed URLs: %s", exc)
            return {}, ""

    def stored_name(self, name: str) -> str:
        try:
            return super().stored_name(name)
        except ValueError:
            # Only the page's links are at stake: collectstatic's own hashing (post_process) goes
            # through _stored_name, so a CSS url() to a missing file still fails the collection.
            with self._missing_lock:
                first = name not in self._missing_logged
                self._missing_logged.add(name)
            if first:
                logger.error(
                    "Static file %r is not in the manifest %s (run `motcua collectstatic --noinput`, "
                    "then restart): serving its unhashed URL",
                    name,
                    self.path(self.manifest_name),
                )
            return name


class ManifestWhiteNoiseMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, telling hashed names from the manifest itself rather than by asking for URLs.

    At start-up WhiteNoise guesses, for every collected file, the name it would have without a hash
    (``htmx.min.js`` → ``htmx.js``) and asks the storage for that name's URL. The fallback storage
    above logs every name its manifest lacks, so each guess that is not a real file became a false
    ERROR in every production worker's log. The manifest answers the same question without a lookup.
    """

    def immutable_file_test(self, path: str, url: str) -> bool:
        if not url.startswith(self.static_prefix):
            return False
        name = url[len(self.static_prefix) :]
        hashed_files: Any = getattr(staticfiles_storage, "hashed_files", None)
        if not hashed_files:
            return bool(super().immutable_file_test(path, url))
        return hashed_files.get(self.get_name_without_hash(name)) == name


def static_manifest_problem() -> str | None:
    """Why this process serves its static files without a manifest, or None (also None in development).

    The manifest is read once per process, when the storage is first used: after ``collectstatic``
    the web processes must be restarted, as WhiteNoise also lists the collected files at start-up.
    """
    # The lazy storage proxies isinstance(); hashed_files is the manifest as this process read it.
    storage: Any = staticfiles_storage
    if not isinstance(storage, ManifestStaticFilesStorage) or storage.hashed_files:
        return None
    return (
        f"{storage.path(storage.manifest_name)} chưa có, rỗng hoặc hỏng (missing, empty or unreadable): "
        "chạy `motcua collectstatic --noinput` rồi khởi động lại (run it, then restart)"
    )

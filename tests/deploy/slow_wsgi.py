"""The site's WSGI application plus one slow page, for the graceful-stop check of tests/deploy.

``/_deploy-test/slow`` marks that it started, then answers only once the test creates ``slow-release``
in ``$DEPLOY_TEST_DIR`` (at most 60 s): a request the test knows is in flight when it stops gunicorn.
Every other path is motcua itself.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from motcua.wsgi import application as motcua_application


def application(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    if environ.get("PATH_INFO") != "/_deploy-test/slow":
        return motcua_application(environ, start_response)
    folder = Path(os.environ["DEPLOY_TEST_DIR"])
    (folder / "slow-started").touch()
    deadline = time.monotonic() + 60
    while not (folder / "slow-release").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"finished"]

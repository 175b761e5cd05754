"""The stand-in process for outside services (sandbox/standins), started by the tests over the network.

``Standins.start()`` runs the real WSGI app under gunicorn on a free local port with its own SQLite
file, waits until it answers, and ``messages()`` reads what it received through its HTTP listing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from tests.processes import free_port, wait_until_ready

REPO = Path(__file__).resolve().parents[1]


class Standins:
    def __init__(self, process: subprocess.Popen[bytes], url: str) -> None:
        self.process = process
        self.url = url

    @classmethod
    def start(cls, db_path: Path, *, env: dict[str, str] | None = None) -> Standins:
        port = free_port()
        gunicorn = Path(sys.executable).with_name("gunicorn")
        process = subprocess.Popen(
            [str(gunicorn), "--bind", f"127.0.0.1:{port}"],
            cwd=REPO / "sandbox" / "standins",
            env={
                **os.environ,
                "STANDINS_DB": str(db_path),
                # Notifications the merchant does not answer are retried quickly, so no test waits on them.
                "STANDINS_IPN_RETRY_SECONDS": "0.2",
                **(env or {}),
            },
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        standins = cls(process, f"http://127.0.0.1:{port}")
        if wait_until_ready(process, lambda: standins.messages() is not None):
            return standins
        standins.stop()
        raise RuntimeError("the stand-ins process did not start")

    def messages(self, service: str | None = None) -> list[dict[str, Any]]:
        with urllib.request.urlopen(f"{self.url}/_standin/messages.json", timeout=5) as response:
            rows: list[dict[str, Any]] = json.loads(response.read())["received"]
        return [row for row in rows if service is None or row["service"] == service]

    def bank(self) -> dict[str, list[dict[str, Any]]]:
        """The sandbox bank's transactions and notification attempts, newest first."""
        with urllib.request.urlopen(f"{self.url}/_standin/bank.json", timeout=5) as response:
            data: dict[str, list[dict[str, Any]]] = json.loads(response.read())
        return data

    def bank_post(self, path: str, **form: str) -> dict[str, Any]:
        """POST a form to the sandbox bank (``/_standin/bank/merchant``, ``/vnpay/_test/replay``)."""
        body = urllib.parse.urlencode(form).encode()
        with urllib.request.urlopen(f"{self.url}{path}", data=body, timeout=30) as response:
            answer: dict[str, Any] = json.loads(response.read())
        return answer

    def set_ipn_url(self, gateway: str, url: str) -> None:
        """Where the sandbox bank sends ``gateway``'s notifications (a test's own server)."""
        self.bank_post("/_standin/bank/merchant", gateway=gateway, ipn_url=url)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()

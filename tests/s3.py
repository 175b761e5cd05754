"""A real S3-compatible server for the storage tests: moto in server mode, started as a process.

``MotoS3.start()`` runs ``moto_server`` on a free local port and waits until it answers; the tests
then point django-storages' ``S3Storage`` at it (``endpoint_url``) and talk to it over HTTP, exactly as
production talks to its object store. ``client()`` is a plain boto3 client for reading or tampering
with objects behind the application's back.
"""

from __future__ import annotations

import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

from tests.processes import free_port, wait_until_ready

ACCESS_KEY = "motcua-test"
SECRET_KEY = "motcua-test-secret"  # a local stand-in's credentials
REGION = "us-east-1"


class MotoS3:
    def __init__(self, process: subprocess.Popen[bytes], url: str) -> None:
        self.process = process
        self.url = url

    @classmethod
    def start(cls) -> MotoS3:
        port = free_port()
        server = Path(sys.executable).with_name("moto_server")
        process = subprocess.Popen(
            [str(server), "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        s3 = cls(process, f"http://127.0.0.1:{port}")

        def ready() -> bool:
            with urllib.request.urlopen(f"{s3.url}/moto-api/", timeout=2) as response:
                return bool(response.status == 200)

        if wait_until_ready(process, ready):
            return s3
        s3.stop()
        raise RuntimeError("moto_server did not start")

    def client(self) -> Any:
        import boto3  # type: ignore[import-untyped]  # no type information shipped

        return boto3.client(
            "s3",
            endpoint_url=self.url,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
        )

    def storage_options(self, bucket: str) -> dict[str, Any]:
        """The OPTIONS ``settings.STORAGES`` gives S3Storage for ``MOTCUA_STORAGE=s3`` (same keys)."""
        return {
            "endpoint_url": self.url,
            "bucket_name": bucket,
            "access_key": ACCESS_KEY,
            "secret_key": SECRET_KEY,
            "region_name": REGION,
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": True,
            "addressing_style": "path",
        }

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()

"""Outside-system stand-ins the tests start as real processes: a free port, and waiting until one answers.

Shared by ``tests.standins`` (population database, SMS, Zalo) and ``tests.sandbox_idp`` (the identity
provider). The deadline bounds how long a process may take to start; nothing here asserts a duration.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable

START_TIMEOUT_SECONDS = 30


def free_port() -> int:
    """A port of the loopback interface nobody listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_ready(process: subprocess.Popen[bytes], ready: Callable[[], bool]) -> bool:
    """Poll ``ready()`` (an ``OSError`` counts as not yet) until it is true; False if the process exits
    or does not get ready within ``START_TIMEOUT_SECONDS``."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            if ready():
                return True
        except OSError:
            pass
        time.sleep(0.1)
    return False

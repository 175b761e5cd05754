"""gunicorn settings of the stand-ins (read from this directory: ``cd sandbox/standins && gunicorn``)."""

from __future__ import annotations

import os

wsgi_app = "app:application"
bind = os.environ.get("STANDINS_BIND", "127.0.0.1:8020")
workers = 1
threads = 4
# Zalo's API takes the token in an ``access_token`` header. gunicorn drops headers whose names contain
# an underscore (they could be confused with a dash after WSGI's mapping to HTTP_ACCESS_TOKEN); a local
# stand-in behind no proxy may take them as they are.
header_map = "dangerous"

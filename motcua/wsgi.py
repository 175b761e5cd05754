from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

from motcua.core.unread_body import UnreadBodyDrain

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
# Wrapped so that an answer given before the body was read still reaches nginx (core.unread_body).
application = UnreadBodyDrain(get_wsgi_application())

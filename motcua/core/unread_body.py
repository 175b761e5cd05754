"""Unread request bodies are read to their end before the answer leaves (``UnreadBodyDrain``).

Many answers come before the body is read: a 413 judged from the declared length, a 401 or 403 to an
upload without a valid session or token, a 429, a file stopped as it arrives. gunicorn then discards at
most 64 KB of what is left and closes the connection, while nginx — which buffered the whole body
first (``proxy_request_buffering on``) — is still sending it: nginx fails on the closed socket (EPIPE)
and shows the user its own 502 in place of the Vietnamese answer. A fault drill through the reference
stack found it (``tests/deploy/test_stack.py``: an over-large upload answered 502, not 413).

So the WSGI application reads what its request left unread and drops it, up to
``MOTCUA_UNREAD_BODY_DRAIN_BYTES`` (nginx's ``client_max_body_size``, 101 MB): a body the proxy let
through is already complete on the proxy's side, so reading it costs little, and it is never parsed
nor held. A body declared larger can only come from a client talking to the server directly, and it
stays unread.

Written here rather than taken from a library: it is one loop over ``wsgi.input`` at the WSGI layer,
where Django has no setting for it (its development server drains the body itself; production servers
are left to do it, and gunicorn stops at 64 KB).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

_CHUNK = 64 * 1024


def unread_body_drain(environ: WSGIEnvironment) -> int:
    """Read and drop what is left of the request body, when its declared length is within the limit.

    Returns the bytes read. The declared length bounds the reads: what the application read is not
    known here, and the server's stream ends where the body does.
    """
    try:
        left = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
    if left <= 0 or left > settings.MOTCUA_UNREAD_BODY_DRAIN_BYTES:
        return 0
    stream = environ["wsgi.input"]
    drained = 0
    try:
        while left > 0:
            chunk = stream.read(min(_CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            drained += len(chunk)
    except OSError:
        pass  # the client went away: there is no one left to answer
    return drained


class UnreadBodyDrain:
    """WSGI wrapper: the answer leaves after the request's body has been read to its end (module doc)."""

    def __init__(self, application: WSGIApplication) -> None:
        self.application = application

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        result = self.application(environ, start_response)
        # Before the server iterates the answer, so the proxy has sent everything when it is written.
        unread_body_drain(environ)
        return result

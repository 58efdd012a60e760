"""Run a WSGI app on a free loopback port in a background thread (tests, local stand-ins)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from wsgiref.types import WSGIApplication

from werkzeug.serving import WSGIRequestHandler, make_server


class KeepAliveHandler(WSGIRequestHandler):
    """Werkzeug's handler on HTTP/1.1 with Nagle off.

    Without TCP_NODELAY a keep-alive client waits ~40 ms per request for the
    delayed ACK of the split header/body writes.
    """

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True


class QuietKeepAliveHandler(KeepAliveHandler):
    """KeepAliveHandler that does not log a line per request."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Log nothing: tests would drown in access lines."""


@contextmanager
def serve_in_thread(
    wsgi_app: WSGIApplication,
    *,
    host: str = "127.0.0.1",
    log_requests: bool = False,
) -> Iterator[str]:
    """Serve ``wsgi_app`` threaded on a free port of ``host``; yield its base URL, then stop it."""
    handler = KeepAliveHandler if log_requests else QuietKeepAliveHandler
    server = make_server(host, 0, wsgi_app, threaded=True, request_handler=handler)
    # A short poll interval makes shutdown() return in ~50 ms instead of up to 500 ms.
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name=f"serve-{server.server_port}",
        daemon=True,
    )
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

"""gunicorn settings for the web process (Procfile, Procfile.dev, scripts/run-dev).

The access log never holds a credential or personal data: the tracking page's `/t/<token>` is masked,
query strings and referrers are dropped, and every line (access and error log) passes the same
redaction as the app's own logs. Lines are JSON, with the request id the app echoes in X-Request-ID.
"""

from __future__ import annotations

import os

from gunicorn.glogging import Logger

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
bind = f"{os.environ.get('BIND_HOST', '0.0.0.0')}:{os.environ.get('PORT', '5000')}"
accesslog = "-"
errorlog = "-"
access_log_format = ('{"logger": "gunicorn.access", "ts": "%(t)s", "method": "%(m)s", "path": "%(U)s", '
                     '"status": %(s)s, "bytes": "%(B)s", "ms": %(M)s, "request_id": "%({x-request-id}o)s"}')


class RedactingLogger(Logger):
    """gunicorn's logger with paths masked, query strings and referrers dropped, and the app's redaction."""

    def atoms(self, resp, req, environ, request_time):
        from app.observability.logs import redact

        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U"):  # request line and path: /t/<token> is a credential
            atoms[key] = redact(atoms[key]).replace('"', "%22")
        atoms["q"] = atoms["f"] = "-"  # query strings and referrers may carry tokens or numbers
        atoms["r"] = atoms["r"].split("?", 1)[0]
        return atoms

    def setup(self, cfg):
        super().setup(cfg)
        from app.observability.logs import RedactingFilter

        for logger in (self.error_log, self.access_log):
            for handler in logger.handlers:
                handler.addFilter(RedactingFilter())


logger_class = RedactingLogger


def on_starting(server):
    """Create the shared metrics directory when one is configured (see docs/operations.md)."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        os.makedirs(directory, exist_ok=True)


def child_exit(server, worker):
    """Let the metrics of a web worker that ended stop counting as live."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)

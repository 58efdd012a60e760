"""Logs an operator can search and nobody can misuse: one JSON object a line, a request id on every line of
a request (and of the jobs it enqueued), phone numbers and credentials masked as a safety net.

The net is not the policy: code logs ids, never numbers or bodies. It catches what slips through anyway
(an exception message quoting a row, a URL with a tracking token) on every handler of the process,
gunicorn's and RQ's included, because the filter sits on the handlers, not on one logger.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

_REDACTIONS = (
    (re.compile(r"/t/[A-Za-z0-9_-]{6,}"), "/t/[token]"),  # the tracking page's only credential
    (re.compile(r"\b(bj_[a-z]+)_[A-Za-z0-9_-]{8,}"), r"\1_[redacted]"),  # shop API keys, carrier tokens
    (re.compile(r"(?i)\b(bearer|basic)\s+[^\s\"',;]+"), r"\1 [redacted]"),
    (re.compile(r"(?i)(%2B|\+)([1-9]\d)\d{4,11}(\d{2})\b"), r"\1\2…\3"),  # E.164 (raw or URL-encoded)
    (re.compile(r"\b0[1-9]\d{7,8}\b"), "0…"),  # a national number as a recipient typed it
)


def redact(text: str) -> str:
    """Mask tracking tokens, credentials and phone numbers in a log text."""
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrite a record's message and traceback with `redact` before any formatter sees them."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string still gets logged, as its raw text
            message = str(record.msg)
        record.msg, record.args = redact(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class RequestIdFilter(logging.Filter):
    """Put the current request's id on the record (jobs get theirs from workers/run.py)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context() and "request_id" in g:
            record.request_id = g.request_id
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, ids, exception."""

    FIELDS = ("request_id", "job_id", "job", "subject_ids")

    def format(self, record: logging.LogRecord) -> str:
        at = datetime.fromtimestamp(record.created, UTC)  # when it was logged, not the product's clock
        entry = {"ts": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                 "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage()}
        for name in self.FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


def text_formatter() -> logging.Formatter:
    return logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")


def configure(log_format: str = "json", extra_filters: tuple[logging.Filter, ...] = ()) -> None:
    """Give the root logger one stderr handler with the chosen format, the redaction and the id filters."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "bijna", False)), None)
    if handler is None:
        for old in [h for h in root.handlers if type(h) is logging.StreamHandler]:
            root.removeHandler(old)  # basicConfig's plain handler: ours replaces it
        handler = logging.StreamHandler()
        handler.bijna = True
        root.addHandler(handler)
    handler.setFormatter(JsonFormatter() if log_format == "json" else text_formatter())
    for wanted in (RequestIdFilter(), *extra_filters, RedactingFilter()):  # redaction last: it sees every field
        if not any(type(f) is type(wanted) for f in handler.filters):
            handler.addFilter(wanted)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)


def request_id() -> str | None:
    """Return the current request's id (None outside a request)."""
    return g.get("request_id") if has_request_context() else None


def init_app(app: Flask) -> None:
    """Log as JSON (or text), redacted; give every request an id, taken from X-Request-ID or made, and echo it."""
    configure(app.config.get("LOG_FORMAT", "json"))
    # Werkzeug's dev-server access log goes through the same handler, so its /t/<token> lines are masked.

    @app.before_request
    def _take_request_id() -> None:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = given if _SAFE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex

    @app.after_request
    def _echo_request_id(response):
        if "request_id" in g:
            response.headers[REQUEST_ID_HEADER] = g.request_id
        return response

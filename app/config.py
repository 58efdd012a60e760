"""Every setting Bijna reads from the environment, typed and validated once.

The README has the same table; keep them in step.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message names it in one line."""


def _url(name: str, value: str, schemes: tuple[str, ...]) -> str:
    parsed = urlparse(value)
    if parsed.scheme.split("+")[0] not in schemes or not (parsed.netloc or parsed.path):
        raise ConfigError(f"{name} is malformed: expected a {'/'.join(schemes)} URL, got {value!r}")
    return value


def _int(name: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {value!r}") from None


def webhook_auth_token(config) -> str:
    """Return the token Twilio webhooks are signed with: Twilio's, or the simulator's own."""
    return config["TWILIO_AUTH_TOKEN"] if config["SMS_PROVIDER"] == "twilio" else config["SIMULATOR_AUTH_TOKEN"]


@dataclass
class Settings:
    """Typed settings; `from_env` documents each default."""

    ENV: str = "development"
    DATABASE_URL: str = f"sqlite:///{ROOT / 'instance' / 'bijna.sqlite3'}"
    REDIS_URL: str = "redis://127.0.0.1:6379/0"
    SMS_PROVIDER: str = "simulator"
    TWILIO_ACCOUNT_SID: str = ""
    TWILIO_AUTH_TOKEN: str = ""
    TWILIO_MESSAGING_SERVICE_SID: str = ""
    TWILIO_FROM: str = ""
    TWILIO_API_BASE_URL: str = ""
    PUBLIC_BASE_URL: str = "http://127.0.0.1:5000"
    SECRET_KEY: str = "dev-only-not-secret"
    SENDER_RATE_PER_SECOND: int = 10
    CARRIER_TIMEOUT_SECONDS: int = 5
    MAX_BODY_BYTES: int = 1_000_000
    SIMULATOR_AUTH_TOKEN: str = "simulator-auth-token"
    METRICS_TOKEN: str = ""
    LOG_FORMAT: str = "json"
    CLOCK_FILE: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def production(self) -> bool:
        return self.ENV == "production"

    @property
    def twilio_auth_token(self) -> str:
        """The token webhooks are signed with: Twilio's, or the simulator's own."""
        return webhook_auth_token(vars(self))

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Read, type and validate every setting; raise ConfigError naming the first bad one."""
        env = os.environ if environ is None else environ
        settings = cls()
        settings.extra["explicit"] = {name for name in ("DATABASE_URL", "REDIS_URL") if env.get(name)}
        for f in fields(cls):
            if f.name == "extra" or not env.get(f.name):  # empty counts as unset
                continue
            raw = env[f.name]
            value = _int(f.name, raw) if isinstance(getattr(settings, f.name), int) else raw
            setattr(settings, f.name, value)
        settings.validate()
        return settings

    def validate(self) -> None:
        """Refuse settings a process cannot run with."""
        if self.ENV not in ("development", "production", "test"):
            raise ConfigError(f"ENV must be development, production or test, got {self.ENV!r}")
        _url("DATABASE_URL", self.DATABASE_URL, ("sqlite", "postgresql", "postgres"))
        _url("REDIS_URL", self.REDIS_URL, ("redis", "rediss", "unix"))
        _url("PUBLIC_BASE_URL", self.PUBLIC_BASE_URL, ("http", "https"))
        if self.SMS_PROVIDER not in ("simulator", "twilio"):
            raise ConfigError(f"SMS_PROVIDER must be simulator or twilio, got {self.SMS_PROVIDER!r}")
        if self.CARRIER_TIMEOUT_SECONDS < 1:
            raise ConfigError("CARRIER_TIMEOUT_SECONDS must be at least 1")
        if self.SENDER_RATE_PER_SECOND < 1:
            raise ConfigError("SENDER_RATE_PER_SECOND must be at least 1")
        if self.LOG_FORMAT not in ("json", "text"):
            raise ConfigError(f"LOG_FORMAT must be json or text, got {self.LOG_FORMAT!r}")
        if not self.production:
            return
        if self.CLOCK_FILE:
            raise ConfigError("CLOCK_FILE moves time for tests; production reads the real clock")
        if self.METRICS_TOKEN and len(self.METRICS_TOKEN) < 16:
            raise ConfigError("METRICS_TOKEN is too short: use 16 characters or more")
        for name in ("DATABASE_URL", "REDIS_URL"):  # the embedded defaults are for a laptop, not production
            if name not in self.extra.get("explicit", ()):
                raise ConfigError(f"{name} is missing: production does not fall back to the embedded default")
        if self.DATABASE_URL.startswith("sqlite"):
            raise ConfigError("DATABASE_URL must be a PostgreSQL URL in production")
        if self.SECRET_KEY in ("", Settings.SECRET_KEY):
            raise ConfigError("SECRET_KEY is missing: set a long random value in production")
        if not self.PUBLIC_BASE_URL.startswith("https://"):
            raise ConfigError("PUBLIC_BASE_URL must be an https:// URL in production")
        if self.SMS_PROVIDER != "twilio":
            raise ConfigError("SMS_PROVIDER must be twilio in production (the simulator is for development)")
        for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"):
            if not getattr(self, name):
                raise ConfigError(f"{name} is missing")
        if not self.TWILIO_ACCOUNT_SID.startswith("AC"):
            raise ConfigError("TWILIO_ACCOUNT_SID is malformed: it starts with AC")
        if not (self.TWILIO_MESSAGING_SERVICE_SID or self.TWILIO_FROM):
            raise ConfigError("TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM is missing")
        service, sender = self.TWILIO_MESSAGING_SERVICE_SID, self.TWILIO_FROM
        if service and not re.fullmatch(r"MG[0-9a-fA-F]{32}", service):
            raise ConfigError("TWILIO_MESSAGING_SERVICE_SID is malformed: MG followed by 32 hex digits")
        if sender and not re.fullmatch(r"\+[1-9]\d{6,14}|(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}", sender):
            raise ConfigError("TWILIO_FROM is malformed: an E.164 number or an alphanumeric ID of 1-11 characters")

    def as_flask_config(self) -> dict:
        """Return the settings as Flask config keys."""
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "extra"}
        values["SQLALCHEMY_DATABASE_URI"] = self.DATABASE_URL.replace("postgres://", "postgresql://", 1)
        if values["SQLALCHEMY_DATABASE_URI"].startswith("postgresql://"):
            values["SQLALCHEMY_DATABASE_URI"] = values["SQLALCHEMY_DATABASE_URI"].replace(
                "postgresql://", "postgresql+psycopg://", 1
            )
        values["MAX_CONTENT_LENGTH"] = self.MAX_BODY_BYTES
        values["TESTING"] = self.ENV == "test"
        return values




def exit_on_config_error(start):
    """Call `start()`; on a bad setting stop the process with its one-line message, not a traceback."""
    try:
        return start()
    except ConfigError as error:
        raise SystemExit(f"bijna: configuration error: {error}") from None

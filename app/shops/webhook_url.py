"""Where Bijna may post a shop's webhooks: only to the public internet (SSRF), at the address it checked.

An allow-list, not a deny-list: every address a name resolves to must be globally routable
(`ipaddress.is_global`), which leaves out private, loopback, link-local, carrier-grade NAT
(100.64.0.0/10), documentation, benchmarking and reserved ranges alike. The name is resolved
once per delivery and the connection goes to that checked address (with the Host header and
TLS server name of the URL kept): a name re-pointed at 169.254.169.254 between the check and
the connection (DNS rebinding) is never reached.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlparse, urlunparse

import requests
from requests.adapters import HTTPAdapter


class UnsafeWebhookUrl(ValueError):
    """The URL points somewhere Bijna must not post to; the message says why."""


def _global(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:  # ::ffff:10.0.0.1 is 10.0.0.1
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int) -> list[str]:
    """Return the addresses a name resolves to (the one DNS lookup a delivery makes)."""
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def check_webhook_url(url: str, production: bool, resolve_host: bool = False) -> str | None:
    """Refuse a webhook URL that is not https or (in production) does not lead to the public internet.

    With `resolve_host` the name is resolved and every answer checked; the address to connect
    to is returned (None outside production, or when the host was not resolved). Development
    allows anything, so the simulator's sink on 127.0.0.1 works.
    """
    parsed = urlparse(url)
    if not production:
        return None
    host = parsed.hostname or ""
    if parsed.scheme != "https":
        raise UnsafeWebhookUrl("Use an https:// URL.")
    if not host or host == "localhost" or host.endswith((".localhost", ".internal", ".local")):
        raise UnsafeWebhookUrl("The host is not on the public internet.")
    addresses = [host] if _is_ip(host) else []
    if resolve_host and not addresses:
        try:
            addresses = resolve(host, parsed.port or 443)
        except (socket.gaierror, UnicodeError):
            raise UnsafeWebhookUrl("The host does not resolve.") from None
    if not all(_global(address) for address in addresses):
        raise UnsafeWebhookUrl("The host is not a public internet address.")
    return addresses[0] if addresses else None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class PinnedAdapter(HTTPAdapter):
    """Connect to one checked address while the request keeps its URL's host for Host and TLS (SNI, cert)."""

    def __init__(self, hostname: str, **kwargs) -> None:
        self._hostname = hostname
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs) -> None:
        kwargs["server_hostname"] = self._hostname
        kwargs["assert_hostname"] = self._hostname
        super().init_poolmanager(*args, **kwargs)


def post_pinned(url: str, address: str, *, data: bytes, headers: dict, timeout: float) -> requests.Response:
    """POST to `url`, connecting to `address` (already checked) instead of resolving the name again."""
    parsed = urlparse(url)
    literal = f"[{address}]" if ":" in address else address
    netloc = literal + (f":{parsed.port}" if parsed.port else "")
    pinned = urlunparse(parsed._replace(netloc=netloc))
    host_header = parsed.hostname + (f":{parsed.port}" if parsed.port else "")
    with requests.Session() as session:
        session.trust_env = False  # no proxy from the environment: the checked address is the destination
        session.mount(f"{parsed.scheme}://", PinnedAdapter(parsed.hostname or ""))
        return session.post(pinned, data=data, headers={**headers, "Host": host_header}, timeout=timeout,
                            allow_redirects=False)

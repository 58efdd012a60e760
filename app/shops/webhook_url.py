"""Where Bijna may post a shop's webhooks: never into our own network (SSRF)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlparse


class UnsafeWebhookUrl(ValueError):
    """The URL points somewhere Bijna must not post to; the message says why."""


def _private(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast


def check_webhook_url(url: str, production: bool, resolve: bool = False) -> None:
    """Refuse a webhook URL that is not https, or (in production) names a private, loopback or link-local host.

    With `resolve`, the host's DNS answers are checked too (at delivery time: a name can be
    pointed at 169.254.169.254 after it was saved). Development allows anything, so the
    simulator's sink on 127.0.0.1 works.
    """
    parsed = urlparse(url)
    if not production:
        return
    host = parsed.hostname or ""
    if parsed.scheme != "https":
        raise UnsafeWebhookUrl("Use an https:// URL.")
    if host == "localhost" or host.endswith((".localhost", ".internal", ".local")):
        raise UnsafeWebhookUrl("The host is not on the public internet.")
    try:
        addresses = [host] if _is_ip(host) else []
        if resolve and not addresses:
            addresses = [info[4][0] for info in socket.getaddrinfo(host, parsed.port or 443, type=socket.SOCK_STREAM)]
    except socket.gaierror:
        raise UnsafeWebhookUrl("The host does not resolve.") from None
    if any(_private(address) for address in addresses):
        raise UnsafeWebhookUrl("The host is a private, loopback or link-local address.")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True

"""Privacy headers for the HTML pages: the token in the URL is a secret and must not leak."""

from __future__ import annotations

from flask import Response

# Scripts and styles only from our own files (no inline code), images from anywhere safe (the
# shop's logo), no framing, no <base> tricks, forms only back to us.
CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' https: data:; script-src 'self'; "
                           "style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")

PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    # The URL carries the token: no Referer to the shop's logo host, its links or anyone else.
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Shared computers and proxies must not keep someone's parcel page.
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
}


def add_page_headers(response: Response) -> Response:
    """Set the privacy headers on a page response (also on its 404s and redirects)."""
    for name, value in PAGE_HEADERS.items():
        response.headers[name] = value
    return response

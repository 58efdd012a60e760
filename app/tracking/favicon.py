"""Bijna's icon: /favicon.ico at the root, where browsers ask for it on any page without a link.

The pages link the SVG in web/static; the ICO beside it (16, 32 and 48 px, rendered from
that SVG) answers the browsers and tools that ask for /favicon.ico by habit.
"""

from __future__ import annotations

from flask import Flask, current_app, send_from_directory

MAX_AGE = 7 * 24 * 3600  # seconds: the icon rarely changes, and a phone need not ask on every page view


def favicon():
    """Serve the site icon."""
    return send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                               max_age=MAX_AGE)


def init_app(app: Flask) -> None:
    """Serve /favicon.ico on this app."""
    app.add_url_rule("/favicon.ico", "favicon", favicon)

"""Console test helpers: log in and post forms the way a browser does, CSRF token included."""

from __future__ import annotations

import re

PASSWORD = "correct horse battery"


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def log_in(client, email: str, password: str = PASSWORD, next_path: str = ""):
    page = client.get("/console/login")
    token = csrf_token(page.get_data(as_text=True))
    url = "/console/login" + (f"?next={next_path}" if next_path else "")
    return client.post(url, data={"email": email, "password": password, "csrf_token": token})


def post_form(client, path: str, page_path: str, **data):
    """Post a console form the way a browser does: with the CSRF token from a console page."""
    token = csrf_token(client.get(page_path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})

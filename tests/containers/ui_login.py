"""Signing in to the web console as a browser does: the form's CSRF token, then the credentials."""

from __future__ import annotations

import re

import requests


def sign_in(session: requests.Session, base: str, username: str, password: str) -> requests.Response:
    form = session.get(f"{base}/login", timeout=10)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    return session.post(f"{base}/login", timeout=30, allow_redirects=True,
                        data={"csrf_token": csrf, "next": "/", "username": username, "password": password})

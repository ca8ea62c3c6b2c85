"""The site's JSON API as the client uses it: token auth, answers in the client's language."""
from __future__ import annotations

import base64
from pathlib import Path

import requests

from .messages import Texts


class ClientError(Exception):
    pass


class Api:
    def __init__(self, url: str, token: str, t: Texts):
        if not token:
            raise ClientError(t("no_token"))
        # A token is printable ASCII; anything else (a pasted "…", a stray newline) would be refused
        # by the HTTP library with a traceback, or sent as a header it was never meant to be.
        if not token.isascii() or not token.isprintable() or " " in token:
            raise ClientError(t("malformed_token"))
        self.url, self.t, self.session = url.rstrip("/"), t, requests.Session()
        self.session.headers["Authorization"] = f"Token {token}"
        # The site names checks and writes feedback in the language asked for.
        self.session.headers["Accept-Language"] = t.lang

    def call(self, method: str, path: str, **kwargs) -> dict:
        try:
            response = self.session.request(method, f"{self.url}/api/{path}", timeout=60, **kwargs)
        except requests.RequestException as exc:
            raise ClientError(self.t("unreachable", url=self.url, error=self.t(_reason(exc)))) from exc
        data = {}
        if response.headers.get("content-type", "").startswith("application/json"):
            try:
                data = response.json()
            except ValueError:
                data = {}
        if response.status_code == 401:
            raise ClientError(self.t("bad_token"))
        if response.status_code in (400, 409) and data.get("detail"):
            raise ClientError(data["detail"])               # the site's own refusal, in our language
        if response.status_code == 404:
            raise ClientError(self.t("not_found"))
        if response.status_code >= 400:
            raise ClientError(self.t("http_error", code=response.status_code))
        return data

    def assignments(self) -> list[dict]:
        return self.call("GET", "assignments/")["assignments"]

    def offering(self, slug: str) -> dict:
        matches = [a for a in self.assignments() if a["slug"] == slug or str(a["id"]) == slug]
        if not matches:
            raise ClientError(self.t("no_assignment", slug=slug))
        return matches[0]

    def submit(self, offering: dict, paths: list[Path]) -> dict:
        """One file keeps the original body (filename + content_base64); several go as `files`."""
        files = [{"filename": p.name, "content_base64": base64.b64encode(_read(p, self.t)).decode()} for p in paths]
        body = files[0] if len(files) == 1 else {"files": files}
        return self.call("POST", f"offerings/{offering['id']}/submissions/", json=body)

    def submission(self, sub_id: int) -> dict:
        return self.call("GET", f"submissions/{sub_id}/")


def _reason(exc: requests.RequestException) -> str:
    """requests' own messages are English; say why in the run's language instead."""
    if isinstance(exc, requests.Timeout):
        return "reason_timeout"
    if isinstance(exc, requests.exceptions.SSLError):
        return "reason_tls"
    if isinstance(exc, requests.ConnectionError):
        return "reason_refused"
    return "reason_other"


def _read(path: Path, t: Texts) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ClientError(t("cannot_read", path=path, error=exc.strerror or exc)) from exc
    if not data:
        raise ClientError(t("empty_file", path=path))
    return data

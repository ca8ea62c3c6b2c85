"""The pages students reload during a rush, served from the cache until what they show may change.

A page is kept per viewer's session (its key: the view, the path and query, the session, the CSRF
cookie, the language, the htmx and Accept headers) and stamped with two versions read *before*
it was built: the site's and the viewer's. Any change a page could show bumps one of them, so a
stamp that differs from the current versions means "build it again":

* Writes are seen by the SQL they send (a wrapper on every database connection), so a row
  written through save(), update(), bulk_create() or raw SQL counts alike; the bump happens
  at once and again after the transaction commits (a page built in between, from the old rows,
  carries the old stamp... or the new one, and is dropped by the second bump).
* A write to a student's own rows (attempts, results, pictures, diagnoses) made inside
  `owned_by(student_id)` bumps that student's version only: during a rush results arrive every
  second, and each must not empty every other student's pages. The same write outside
  `owned_by` bumps the site's version: forgetting to declare an owner costs hits, never a stale
  page.
* Tables no cached page reads (sessions, login throttling, blobs, the audit log, API tokens'
  last use, logins' `last_login`) bump nothing.

Only views that say so (`request.page_cache_ok = True`, after checking the page shows only site
data and the viewer's own rows) are kept; every cached page also expires after
SEQLAB_PAGE_CACHE_SECONDS (or the view's `request.page_cache_seconds`), which bounds how long a
relative time ("3 hours left") or a queue position can be old. A page with messages waiting,
one that sets a cookie, or any answer but a 200 is never kept. Off (0 seconds) without a cache
shared by every process (Redis): per-process caches would miss the workers' writes.
"""
from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
import secrets
import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from rest_framework.response import Response

from seqlab.core import readmemo

log = logging.getLogger(__name__)

SITE = "pagecache:v:site"
PREFIX = "pagecache:page:"
# A kept page's size at most: a page bigger than this (an attempt page with a long upload) is
# built each time. With no query strings kept either, what one student can make the cache hold
# is bounded by their sessions x these few pages x this size, for SEQLAB_PAGE_CACHE_SECONDS.
MAX_PAGE_BYTES = 128 * 1024

# Rows of a student: written inside owned_by(student), they bump that student's version only.
OWNED = frozenset({"submissions_submission", "submissions_result", "submissions_artifact", "insight_diagnosis"})
# Tables no cached page reads.
NOISE = frozenset({"django_session", "axes_accessattempt", "axes_accessfailurelog", "axes_accesslog",
                   "axes_accessattemptexpiration", "accounts_apitoken", "authtoken_token", "blobs_blob",
                   "django_admin_log", "gradebook_auditentry", "insight_fingerprint", "insight_similarityrun",
                   "insight_similaritypair", "insight_hintview", "django_migrations"})
_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+["`]?([A-Za-z0-9_]+)', re.IGNORECASE)
_LAST_LOGIN = re.compile(r'^\s*UPDATE\s+"?auth_user"?\s+SET\s+"?last_login"?\s*=\s*%s\s+WHERE', re.IGNORECASE)

_owners = threading.local()


def _store():
    """The cache pages and versions live in: `pagecache` when configured, else `default`. It must
    be one every process shares (web and grading workers alike)."""
    return caches["pagecache" if "pagecache" in settings.CACHES else "default"]


def seconds() -> int:
    return int(getattr(settings, "SEQLAB_PAGE_CACHE_SECONDS", 0) or 0)


def user_key(user_id: Any) -> str:
    return f"pagecache:v:user:{user_id}"


# ------------------------------------------------------------------------------ writes

@contextmanager
def owned_by(*student_ids: Any) -> Iterator[None]:
    """Writes to students' own rows in this block change these students' pages only."""
    stack = getattr(_owners, "stack", None)
    if stack is None:
        stack = _owners.stack = []
    stack.append(tuple(s for s in student_ids if s is not None))
    try:
        yield
    finally:
        stack.pop()


def _current_owners() -> tuple:
    stack = getattr(_owners, "stack", None)
    return stack[-1] if stack else ()


def keys_touched(sql: str) -> tuple[str, ...]:
    """The version keys a statement bumps (none for reads and for tables no cached page reads)."""
    found = _WRITE.match(sql) if sql else None
    if found is None:
        return ()
    table = found.group(1).lower()
    if table in NOISE or (table == "auth_user" and _LAST_LOGIN.match(sql)):
        return ()
    owners = _current_owners()
    if table in OWNED and owners:
        return tuple(user_key(o) for o in owners)
    return (SITE,)


def bump(keys: Iterable[str]) -> None:
    for key in set(keys):
        try:
            try:
                _store().incr(key)
            except ValueError:     # not there yet (or evicted): a random start never meets an old stamp
                _store().set(key, secrets.randbits(62), timeout=None)
        except Exception:  # noqa: BLE001 - a cache outage must not fail a write; pages expire anyway
            log.warning("could not bump page version %s", key, exc_info=True)


def _wrapper(connection) -> Callable:
    def wrapper(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        keys = keys_touched(sql) if seconds() else ()
        if keys:
            bump(keys)
            if connection.in_atomic_block:
                connection.on_commit(functools.partial(bump, keys))
        return result
    wrapper.seqlab_pagecache = True
    return wrapper


def watch_connection(sender, connection, **kwargs) -> None:
    """connection_created: see every write this connection sends."""
    if not any(getattr(w, "seqlab_pagecache", False) for w in connection.execute_wrappers):
        connection.execute_wrappers.append(_wrapper(connection))


# ------------------------------------------------------------------------------ pages

def _page_key(request, name: str) -> str:
    parts = [name, request.path, request.session.session_key or "",       # (no query string is kept)
             request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""), getattr(request, "LANGUAGE_CODE", ""),
             request.headers.get("HX-Request", ""), request.headers.get("HX-Target", ""),
             request.headers.get("Accept", ""), request.headers.get("Authorization", "")]
    return PREFIX + hashlib.blake2b("\0".join(parts).encode("utf-8", "replace"), digest_size=20).hexdigest()


def _messages_waiting(request) -> bool:
    return bool(request.COOKIES.get("messages")) or bool(request.session.get("_messages"))


def per_viewer(view: Callable) -> Callable:
    """Keep a GET view's page per session, until a version it was built at changes."""
    name = f"{view.__module__}.{view.__qualname__}"

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        ttl = seconds()
        user = getattr(request, "user", None)
        if request.method != "GET":
            return view(request, *args, **kwargs)
        with readmemo.scope():
            return _cached(view, name, ttl, user, request, *args, **kwargs)
    return wrapped


def _cached(view: Callable, name: str, ttl: int, user, request, *args, **kwargs):
    if not ttl or user is None or not user.is_authenticated or request.GET \
            or not (request.session.session_key or request.headers.get("Authorization")) \
            or _messages_waiting(request):
        return view(request, *args, **kwargs)
    key, versions = _page_key(request, name), (SITE, user_key(user.pk))
    try:
        found = _store().get_many([key, *versions])
    except Exception:  # noqa: BLE001 - without the cache, build the page
        log.warning("page cache unavailable", exc_info=True)
        return view(request, *args, **kwargs)
    stamp = tuple(found.get(v, 0) for v in versions)
    entry = found.get(key)
    if entry is not None and entry[0] == stamp:
        return _revive(entry)
    response = view(request, *args, **kwargs)
    # A page built without the CSRF cookie carries a token of a secret made for that answer: not kept.
    if getattr(request, "page_cache_ok", False) and response.status_code == 200 \
            and not getattr(response, "streaming", False) and not response.cookies \
            and (isinstance(response, Response) or settings.CSRF_USE_SESSIONS
                 or request.COOKIES.get(settings.CSRF_COOKIE_NAME)):
        storage = getattr(request, "_messages", None)
        keep = min(ttl, int(getattr(request, "page_cache_seconds", ttl)))
        if keep > 0 and not getattr(storage, "used", False) and not _messages_waiting(request):
            headers = [(h, v) for h, v in response.items() if h.lower() not in ("set-cookie", "content-length")]
            # An API answer is kept as its data (rendered again per request, as negotiated).
            body = ("data", response.data) if isinstance(response, Response) else ("html", response.content)
            size = len(json.dumps(body[1], default=str)) if body[0] == "data" else len(body[1])
            if size > MAX_PAGE_BYTES:
                return response
            try:
                _store().set(key, (stamp, *body, headers), timeout=keep)
            except Exception:  # noqa: BLE001
                log.warning("could not keep a page", exc_info=True)
    return response


def _revive(entry: tuple) -> HttpResponse:
    _, kind, body, headers = entry
    response = Response(body) if kind == "data" else HttpResponse(body)
    for header, value in headers:
        if kind == "html" or header.lower() not in ("content-type", "vary", "allow"):
            response[header] = value
    return response


def allow(request, *, seconds: int | None = None) -> None:
    """Called by a view: this page shows site data and the viewer's own rows only; keep it."""
    request.page_cache_ok = True
    if seconds is not None:
        request.page_cache_seconds = seconds

"""Reads repeated within one page build, made once.

A student's page asks the same small questions several times while it is built (the viewer's
role in the course, their accommodation, their extension: once for the page, again for each
attempt's feedback). Inside `scope()` (the page-cache wrapper opens one around the GET views it
keeps, which write none of these rows) `remember` answers a repeated question from the first
answer; outside a scope it always asks the database, so services, workers and tests never see
an old answer.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Callable, Hashable, Iterator

_memo: ContextVar[dict | None] = ContextVar("seqlab_read_memo", default=None)


@contextmanager
def scope() -> Iterator[None]:
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def remember(key: Hashable, compute: Callable[[], Any]) -> Any:
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]

"""Parse JSON a user sent within named bounds: its size, its nesting depth, no NaN/Infinity.

Python's parser recurses once per level, so a document nested 100 000 deep would end in a
RecursionError (a 500) instead of a message; here it is a ValueError saying what was wrong.
"""
from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _


class JSONRefused(ValueError):
    """The document is not JSON we accept; the message says why."""


def _no_constants(name: str):
    raise JSONRefused(_("%(name)s is not a JSON number") % {"name": name})


def depth_exceeds(data: Any, limit: int) -> bool:
    """Whether containers in `data` nest deeper than `limit` (iterative: no recursion to exhaust)."""
    stack = [(data, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def loads_bounded(raw: bytes, *, max_bytes: int, max_depth: int, what: str | None = None) -> Any:
    """The parsed document, or JSONRefused naming the bound it broke (in the request's language)."""
    what = what or _("The JSON body")
    if len(raw) > max_bytes:
        raise JSONRefused(_("%(what)s is larger than %(n)d KiB.") % {"what": what, "n": max_bytes // 1024})
    try:
        data = json.loads(raw.decode("utf-8-sig"), parse_constant=_no_constants)
    except RecursionError:
        raise JSONRefused(_("%(what)s is nested more than %(n)d levels deep.") % {"what": what, "n": max_depth}) from None
    except UnicodeDecodeError as exc:
        raise JSONRefused(_("%(what)s is not UTF-8 (byte %(at)d).") % {"what": what, "at": exc.start}) from None
    except JSONRefused:
        raise
    except ValueError as exc:
        raise JSONRefused(_("%(what)s is not valid JSON (%(why)s).") % {"what": what, "why": exc}) from None
    if depth_exceeds(data, max_depth):
        raise JSONRefused(_("%(what)s is nested more than %(n)d levels deep.") % {"what": what, "n": max_depth})
    return data

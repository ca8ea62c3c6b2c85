"""Read the named mistakes out of a stored result's checks.

The result contract: each entry of `tests[]` carries `extra_data.mistakes`, a list of
`{"id", "check", "ko", "en"}`. Results graded before that contract name their mistakes only in
the English output; `legacy_ids` recovers those (and goes away with them).
"""
from __future__ import annotations

from dataclasses import dataclass

from seqlab.insight import legacy_ids

MAX_ID = 120
MAX_TEXT = 2000
MAX_PER_CHECK = 20        # a result is bounded by the engine; this bounds what one check may add here


@dataclass(frozen=True)
class Named:
    mistake: str
    check_key: str
    check_name: str
    points_lost: float
    ko: str
    en: str


def _check_key(test: dict) -> str:
    return str(test.get("number") or test.get("name") or "")[:200]


def _points_lost(test: dict) -> float:
    try:
        return max(0.0, float(test.get("max_score", 0)) - float(test.get("score", 0)))
    except (TypeError, ValueError):
        return 0.0


def _from_contract(test: dict, entries: list) -> list[Named]:
    named = []
    for entry in entries[:MAX_PER_CHECK * 10]:
        if len(named) == MAX_PER_CHECK:
            break
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not entry["id"].strip():
            continue
        named.append(Named(entry["id"][:MAX_ID], str(entry.get("check") or _check_key(test))[:200],
                           str(test.get("name", ""))[:300], _points_lost(test),
                           str(entry.get("ko") or entry.get("en") or "")[:MAX_TEXT],
                           str(entry.get("en") or "")[:MAX_TEXT]))
    return named


def named_mistakes(*, tests: list, slug: str, legacy_source: str = "") -> list[Named]:
    """Every named mistake in a result's checks (passed checks name none)."""
    rows = legacy_ids.catalogue(slug, legacy_source) if legacy_source else ()
    found: list[Named] = []
    for test in tests if isinstance(tests, list) else []:
        if not isinstance(test, dict) or test.get("status") == "passed":
            continue
        entries = (test.get("extra_data") or {}).get("mistakes")
        if isinstance(entries, list):
            found += _from_contract(test, entries)
        elif rows:
            found += [Named(mid, _check_key(test), str(test.get("name", ""))[:300], _points_lost(test), text, text)
                      for mid, text in legacy_ids.named_in(str(test.get("output", ""))[:20000], rows)[:MAX_PER_CHECK]]
    return found

"""Behavioural fingerprints: what a submission got wrong, as hashes that can be compared.

Limit: a stored result keeps each check's report, not the tensors the student returned, so a
"wrong output" is the failed check's report (how many values differ, the largest error, the
named mistake, the shapes) with every number rounded to two significant digits. The checks
use fixed seeds, so two submissions computing the same wrong function produce the same report;
two different wrong functions almost never agree on every count and error at once.
"""
from __future__ import annotations

import hashlib
import re

NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e[-+]?\d+)?", re.IGNORECASE)
TRACEBACK_LINE = re.compile(r"^\s+(File |\^|~|\S.*  # )|^\s{2,}\S")
EXCEPTION = re.compile(r"\b([A-Z]\w*(?:Error|Exception|Interrupt|Exit))\b:? ?([^\n]{0,300})")
MAX_OUTPUT = 4000
EVIDENCE_TEXT = 300


def short_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=8).hexdigest()


def _round(match: re.Match) -> str:
    value = float(match.group(0))
    return "0" if value == 0 else f"{value:.2g}"


def without_traceback(output: str) -> str:
    return "\n".join(line for line in output[:MAX_OUTPUT].splitlines() if not TRACEBACK_LINE.match(line)).strip()


def wrong_report(output: str) -> str:
    """A failed check's report without its traceback, numbers rounded to the tolerance."""
    return NUMBER.sub(_round, without_traceback(output))


def exception_texts(output: str) -> list[str]:
    return sorted({f"{kind}: {message.strip()}" for kind, message in EXCEPTION.findall(output[:MAX_OUTPUT])})


def fingerprint_of(tests: list, mistake_ids: list[str]) -> dict:
    """{mistakes, wrong, errors, evidence} for a result's checks; passed checks add nothing."""
    wrong, errors, evidence = set(), set(), {}
    for test in tests if isinstance(tests, list) else []:
        if not isinstance(test, dict) or test.get("status") == "passed":
            continue
        key = str(test.get("number") or test.get("name") or "")
        output = str(test.get("output", ""))
        report = wrong_report(output)
        if report:
            h = short_hash(f"{key}|{report}")
            wrong.add(h)
            evidence[h] = f"{key}: {without_traceback(output)[:EVIDENCE_TEXT]}"   # as the student saw it
        for text in exception_texts(output):
            h = short_hash(text)
            errors.add(h)
            evidence[h] = text[:EVIDENCE_TEXT]
    return {"mistakes": sorted(set(mistake_ids)), "wrong": sorted(wrong), "errors": sorted(errors),
            "evidence": evidence}

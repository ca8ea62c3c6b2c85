"""Behavioural fingerprints: what a submission got wrong, as hashes that can be compared.

Wrong outputs: the engine hashes the student's own value whenever a comparison in a check
fails, to the check's tolerance (graders/outputs.py), and keeps the hashes in the result
(`tests[].extra_data.output_hashes`: `what` was compared, `hash` on the tolerance grid, `alt`
on the grid shifted by half a cell). Two outputs are the same when they share either hash; the
pool's outputs of one check and `what` fall into classes of outputs that agree to the tolerance
(`output_features`), and each class is one feature.

Results stored before the engine kept these hashes (and checks that fail without a comparison,
e.g. on an exception) fall back to the failed check's report: how many values differ, the
largest error, the named mistake, the shapes, with every number rounded to two significant
digits. The checks use fixed seeds, so two submissions computing the same wrong function
produce the same report; two different wrong functions almost never agree on every count and
error at once.
"""
from __future__ import annotations

import hashlib
import re

NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e[-+]?\d+)?", re.IGNORECASE)
TRACEBACK_LINE = re.compile(r"^\s+(File |\^|~|\S.*  # )|^\s{2,}\S")
EXCEPTION = re.compile(r"\b([A-Z]\w*(?:Error|Exception|Interrupt|Exit))\b:? ?([^\n]{0,300})")
HEX16 = re.compile(r"[0-9a-f]{16}")
MAX_OUTPUT = 4000
EVIDENCE_TEXT = 300
MAX_HASHES_PER_CHECK = 8      # the engine's bound (graders/limits.py MAX_OUTPUT_HASHES)
MAX_WHAT = 200


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


def output_hashes(test: dict) -> list[dict]:
    """The well-formed `extra_data.output_hashes` of a stored check result (bounded), else []."""
    extra = test.get("extra_data")
    found = extra.get("output_hashes") if isinstance(extra, dict) else None
    if not isinstance(found, list):
        return []
    return [e for e in found[:MAX_HASHES_PER_CHECK] if isinstance(e, dict)
            and all(isinstance(e.get(k), str) and HEX16.fullmatch(e[k]) for k in ("hash", "alt"))]


def fingerprint_of(tests: list, mistake_ids: list[str]) -> dict:
    """{mistakes, wrong, errors, outputs, evidence} for a result's checks; passed checks add nothing.

    `outputs` lists the check's wrong outputs ({check, what, hashes, report}); a failed check
    without them adds its report hash to `wrong` instead.
    """
    wrong, errors, outputs, evidence = set(), set(), [], {}
    for test in tests if isinstance(tests, list) else []:
        if not isinstance(test, dict) or test.get("status") == "passed":
            continue
        key = str(test.get("number") or test.get("name") or "")
        output = str(test.get("output", ""))
        seen = f"{key}: {without_traceback(output)[:EVIDENCE_TEXT]}"     # as the student saw it
        hashed = output_hashes(test)
        for entry in hashed:
            outputs.append({"check": key[:MAX_WHAT], "what": str(entry.get("what", ""))[:MAX_WHAT],
                            "hashes": [entry["hash"], entry["alt"]], "report": seen})
        report = wrong_report(output)
        if report and not hashed:
            h = short_hash(f"{key}|{report}")
            wrong.add(h)
            evidence[h] = seen
        for text in exception_texts(output):
            h = short_hash(text)
            errors.add(h)
            evidence[h] = text[:EVIDENCE_TEXT]
    return {"mistakes": sorted(set(mistake_ids)), "wrong": sorted(wrong), "errors": sorted(errors),
            "outputs": outputs, "evidence": evidence}


def output_features(pool: list[list[dict]]) -> list[dict[str, dict]]:
    """For each submission's `outputs`, {feature: output}: outputs of one check and `what` share a
    feature when they share a hash on either grid, directly or through others (union-find), so a
    value near a cell boundary on one grid still meets its equals on the other."""
    parent: dict[tuple, tuple] = {}

    def find(node: tuple) -> tuple:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def slot(output: dict) -> str:
        return f"{output.get('check', '')}|{output.get('what', '')}"

    for outputs in pool:
        for o in outputs:
            first, second = (find((slot(o), h)) for h in o["hashes"][:2])
            parent[max(first, second)] = min(first, second)
    # The class's name: its smallest member, so the same outputs give the same feature in any order.
    return [{f"o:{short_hash(slot(o) + '|' + find((slot(o), o['hashes'][0]))[1])}": o for o in outputs}
            for outputs in pool]

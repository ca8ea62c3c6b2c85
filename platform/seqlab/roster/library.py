"""The assignment library as the repository has it, against what the site has synced.

An instructor sees, per assignment folder, whether it is new, unchanged or changed, and for a
changed one which files and which checks (points, visibility, names) differ, before a sync
makes the new version current for every offering.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from graders.assignment import AssignmentError, load_assignment
from seqlab.courses.models import Assignment
from seqlab.courses.services import _check_table, _folder_files


@dataclass
class LibraryEntry:
    folder: str
    slug: str = ""
    title: dict = field(default_factory=dict)       # {"ko": ..., "en": ...}
    status: str = "new"                  # new | unchanged | changed | broken
    error: str = ""
    files_added: list[str] = field(default_factory=list)
    files_removed: list[str] = field(default_factory=list)
    files_changed: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)      # one line per check that differs


def _check_lines(old: list[dict], new: list[dict]) -> list[str]:
    before, after = {c["number"]: c for c in old}, {c["number"]: c for c in new}
    lines = []
    for number in sorted(set(before) | set(after), key=lambda n: [int(p) if p.isdigit() else p for p in n.split(".")]):
        a, b = before.get(number), after.get(number)
        if a is None:
            lines.append(f"+ {number} {b['name']} ({b['points']:g} pts, {b['visibility']})")
        elif b is None:
            lines.append(f"- {number} {a['name']} ({a['points']:g} pts, {a['visibility']})")
        elif (a["name"], a["points"], a["visibility"]) != (b["name"], b["points"], b["visibility"]):
            lines.append(f"~ {number} {a['name']} ({a['points']:g} pts, {a['visibility']}) → "
                         f"{b['name']} ({b['points']:g} pts, {b['visibility']})")
    return lines


def _entry(path: Path) -> LibraryEntry:
    entry = LibraryEntry(folder=path.name)
    try:
        loaded = load_assignment(path)
    except (AssignmentError, OSError, ValueError) as exc:
        entry.status, entry.error = "broken", str(exc)[:500]
        return entry
    entry.slug, entry.title = loaded.slug, dict(loaded.title)
    current = Assignment.objects.filter(slug=loaded.slug).select_related("current_version").first()
    version = current.current_version if current else None
    if version is None:
        return entry
    if version.content_hash == loaded.content_hash:
        entry.status = "unchanged"
        return entry
    entry.status = "changed"
    new = {p: hashlib.sha256(d).hexdigest() for p, d in _folder_files(loaded.path, loaded.solution_path).items()}
    old = dict(version.files.values_list("path", "blob__sha256"))
    entry.files_added = sorted(set(new) - set(old))
    entry.files_removed = sorted(set(old) - set(new))
    entry.files_changed = sorted(p for p in set(new) & set(old) if new[p] != old[p])
    entry.checks = _check_lines(version.checks, _check_table(loaded))
    return entry


def library_state(root: Path | None = None) -> list[LibraryEntry]:
    root = Path(root or settings.SEQLAB_ASSIGNMENTS_DIR)
    return [_entry(p.parent) for p in sorted(root.glob("*/assignment.toml"))]


def library_folder(folder: str, root: Path | None = None) -> Path | None:
    """The folder of that name directly under the library root, or None (no paths from a form)."""
    root = Path(root or settings.SEQLAB_ASSIGNMENTS_DIR).resolve()
    try:                    # a NUL or a name longer than the file system allows names no folder
        candidate = (root / folder).resolve()
        if candidate.parent != root or not (candidate / "assignment.toml").is_file():
            return None
    except (OSError, ValueError):
        return None
    return candidate

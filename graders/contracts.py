"""The engine's data: what a grading job is and what it produces.

Everything here is plain, frozen data so that a job can be logged, a result stored or
exported as Gradescope's results.json, and neither carries live objects around.
"""
from __future__ import annotations

import base64
import itertools
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from graders.i18n import LANGS, T, lang_or_default, text
from graders.limits import MAX_CHECK_MESSAGE, MAX_OUTPUT_HASHES, MAX_OUTPUT_WHAT
from graders.text import clean, clean_data

ENGINE_VERSION = "0.1.0"
HEX16 = re.compile(r"[0-9a-f]{16}")

Visibility = Literal["hidden", "after_due_date", "after_published", "visible"]
VISIBILITIES: tuple[str, ...] = ("hidden", "after_due_date", "after_published", "visible")
Status = Literal["passed", "failed"]


@dataclass(frozen=True)
class Limits:
    """Resource limits for one submission's sandbox (assignment.toml `[limits]`)."""

    wall_seconds: float = 120.0   # the whole submission, all checks and restarts included
    call_seconds: float = 10.0    # one request to the student's code (limits.toml may size it per check)
    target_seconds: float = 0.0   # all calls for one function/class of the submission; 0: wall_seconds
    cpu_seconds: int = 120        # RLIMIT_CPU of one sandbox
    memory_mib: int = 1024        # address space the student may add to the warm process
    processes: int = 64           # RLIMIT_NPROC (threads count too)
    open_files: int = 256         # RLIMIT_NOFILE
    file_size_mib: int = 16       # RLIMIT_FSIZE: largest file the student may write
    scratch_mib: int = 64         # size of the private writable tmpfs
    output_kib: int = 64          # stdout+stderr kept; the rest is counted and dropped
    threads: int = 1              # torch intra-op threads inside the sandbox
    cpus: float = 1.0             # CPU quota of the whole sandbox tree (cgroup cpu.max), in CPUs
    gpu_memory_mib: int = 8192    # GPU memory one sandbox may take when it computes on CUDA

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> "Limits":
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown limit(s): {', '.join(sorted(unknown))}")
        return cls(**data)


@dataclass(frozen=True)
class Job:
    """One submission to grade: the assignment folder and the submitted bytes."""

    assignment_dir: str
    filename: str
    content: bytes
    public_only: bool = False     # run only tests/public (a student's local check)
    solution: bool = False        # grading the reference itself (`graders check`)
    # Other files of the submission the assignment names in `extra_files` (e.g. diagram.dot).
    # They are data for checks in the grader; they are never executed.
    attachments: tuple[tuple[str, bytes], ...] = ()
    # The offering (course, term) this attempt belongs to: mixed with the deployment secret into
    # the hidden inputs' seed, so they differ from term to term (graders/checks.py check_seed).
    seed_context: str = ""


def _both(**texts: Any) -> dict[str, dict[str, str]]:
    """{"ko": {field: text}, "en": {field: text}} for bilingual (or catalogue-translated) texts."""
    found = {key: text(value) for key, value in texts.items()}
    return {lang: {key: t.get(lang) for key, t in found.items()} for lang in LANGS}


# Texts in results: each shown text (a check's `name` and `output`, the result's `output`, an
# artifact's `caption` and `alt`) is written in the language asked for (`to_json(lang=...)`,
# default "en"), and both languages travel beside it in `extra_data.i18n`:
#   tests[].extra_data.i18n = {"ko": {"name", "output"}, "en": {"name", "output"}}
#   extra_data.i18n         = {"ko": {"output"}, "en": {"output"}}
#   artifacts[].i18n        = {"ko": {"caption", "alt"}, "en": {"caption", "alt"}}
# A picture's `data` is drawn in that language too (the English drawing when its words read the same).
# Named mistakes a check's feedback shows: tests[].extra_data.mistakes =
#   [{"id": "attention/no-scale", "check": "<CheckResult.key>", "ko": "...", "en": "..."}, ...]


@dataclass(frozen=True)
class Artifact:
    """A picture (or other file) produced while grading, shown beside the feedback.

    `data` is the picture as drawn in English; `localized` holds the drawings in other languages
    whose drawn words differ, as (language, bytes) pairs (graders/pictures.py `Picture`)."""

    name: str
    media_type: str               # "image/png", "image/svg+xml", "text/vnd.graphviz"
    data: bytes
    check: str = ""               # name of the check that made it ("" = whole submission)
    caption: str = ""             # a T (both languages) or English text the catalogue knows
    alt: str = ""                 # the text alternative: what the picture shows, in words and numbers
    localized: tuple[tuple[str, bytes], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", clean(self.name, limit=200))
        object.__setattr__(self, "caption", clean(self.caption, limit=MAX_CHECK_MESSAGE))
        object.__setattr__(self, "alt", clean(self.alt, limit=MAX_CHECK_MESSAGE))
        given = self.localized or (self.data.localized() if hasattr(self.data, "localized") else ())  # a Picture
        object.__setattr__(self, "data", bytes(self.data))
        # One drawing per language other than English, none the same as the English one.
        kept: dict[str, bytes] = {}
        for lang, data in given:
            if lang in LANGS and lang != "en" and lang not in kept and bytes(data) != self.data:
                kept[lang] = bytes(data)
        object.__setattr__(self, "localized", tuple(kept.items()))

    def data_in(self, lang: str | None) -> bytes:
        """The picture drawn in `lang` (the English one when its words read the same)."""
        return dict(self.localized).get(lang_or_default(lang), self.data)

    def i18n(self) -> dict[str, dict[str, str]]:
        return _both(caption=self.caption, alt=self.alt)

    def to_json(self, *, lang: str | None = None) -> dict[str, Any]:
        texts = self.i18n()
        lang = lang_or_default(lang)
        return {
            "name": self.name, "media_type": self.media_type, "check": text(self.check).get(lang),
            "caption": texts[lang]["caption"], "alt": texts[lang]["alt"], "i18n": texts,
            "data": base64.b64encode(self.data_in(lang)).decode("ascii"),
        }


def bounded_output_hashes(found: Any) -> tuple[dict[str, str], ...]:
    """At most MAX_OUTPUT_HASHES well-formed entries: `what` cleaned and cut, digests 16 lowercase hex."""
    kept = []
    for entry in itertools.islice(found or (), MAX_OUTPUT_HASHES):
        if not isinstance(entry, dict):
            continue
        digests = [entry.get(k) for k in ("hash", "alt")]
        if all(isinstance(d, str) and HEX16.fullmatch(d) for d in digests):
            kept.append({"what": clean(str(entry.get("what", "")), limit=MAX_OUTPUT_WHAT),
                         "hash": digests[0], "alt": digests[1]})
    return tuple(kept)


@dataclass(frozen=True)
class CheckResult:
    name: str
    score: float
    max_score: float
    status: Status
    output: str
    visibility: str
    tags: tuple[str, ...] = ()
    number: str = ""
    duration: float = 0.0
    key: str = ""                 # the check's stable key: "<public|hidden>.<file stem>.<function>"
    # Hashes of the student's values that failed a comparison (graders/outputs.py), for the similarity
    # report: [{"what", "hash", "alt"}, ...] in the order the comparisons failed; failed checks only.
    output_hashes: tuple[dict[str, str], ...] = ()

    def __post_init__(self) -> None:
        # Messages carry exception text and values from the student's process.
        object.__setattr__(self, "name", clean(self.name, limit=MAX_CHECK_MESSAGE))
        object.__setattr__(self, "output", clean(self.output, limit=MAX_CHECK_MESSAGE))
        object.__setattr__(self, "tags", tuple(clean(t, limit=200) for t in self.tags))
        object.__setattr__(self, "output_hashes", bounded_output_hashes(self.output_hashes))

    @property
    def mistakes(self) -> list[dict[str, str]]:
        """The named mistakes the feedback shows, as data (id, check, ko, en)."""
        found = self.output.mistakes if isinstance(self.output, T) else ()
        return [m.as_json(self.key) for m in found]

    def i18n(self) -> dict[str, dict[str, str]]:
        return _both(name=self.name, output=self.output)

    def to_json(self, *, lang: str | None = None, output_hashes: bool = True) -> dict[str, Any]:
        """`output_hashes=False` leaves the similarity hashes out (a document a student may read)."""
        texts = self.i18n()
        shown = texts[lang_or_default(lang)]
        data: dict[str, Any] = {
            "name": shown["name"], "score": self.score, "max_score": self.max_score, "status": self.status,
            "output": shown["output"], "visibility": self.visibility, "tags": list(self.tags),
        }
        if self.number:
            data["number"] = self.number
        data["output_format"] = "text"
        data["extra_data"] = {"duration": round(self.duration, 4), "check": self.key,
                              "i18n": texts, "mistakes": self.mistakes}
        if self.output_hashes and self.status == "failed" and output_hashes:
            data["extra_data"]["output_hashes"] = [dict(h) for h in self.output_hashes]
        return data


@dataclass(frozen=True)
class Result:
    """A graded submission, in Gradescope's results.json shape plus reproducibility data."""

    score: float
    max_score: float
    execution_time: float
    output: str
    tests: tuple[CheckResult, ...]
    gradable: bool = True                 # False: the upload itself was unusable (no attempt lost)
    format_errors: tuple[str, ...] = ()
    stdout: str = ""                      # student's own prints, shown to staff only by default
    artifacts: tuple[Artifact, ...] = ()
    engine_version: str = ENGINE_VERSION
    assignment_hash: str = ""
    submission_sha256: str = ""
    stage_times: dict[str, float] = field(default_factory=dict)
    sandbox: dict[str, Any] = field(default_factory=dict)
    seed: dict[str, str] = field(default_factory=dict)   # graders/checks.py seed_material

    def __post_init__(self) -> None:
        # The one place text from a submission is made storable: every result, however built,
        # encodes as UTF-8 and fits PostgreSQL's jsonb (graders/text.py).
        object.__setattr__(self, "output", clean(self.output))
        object.__setattr__(self, "stdout", clean(self.stdout))
        object.__setattr__(self, "format_errors", tuple(clean(e, limit=MAX_CHECK_MESSAGE) for e in self.format_errors))
        object.__setattr__(self, "sandbox", clean_data(self.sandbox))

    def i18n(self) -> dict[str, dict[str, str]]:
        return _both(output=self.output)

    def to_json(self, *, with_artifacts: bool = True, lang: str | None = None,
                output_hashes: bool = True) -> dict[str, Any]:
        """Gradescope's results.json; `output_hashes=False` for a document a student may read (the
        similarity hashes of wrong outputs are staff data)."""
        lang = lang_or_default(lang)
        texts = self.i18n()
        data: dict[str, Any] = {
            "score": self.score,
            "max_score": self.max_score,
            "execution_time": round(self.execution_time, 4),
            "output": texts[lang]["output"],
            "output_format": "text",
            "stdout_visibility": "hidden",
            "tests": [t.to_json(lang=lang, output_hashes=output_hashes) for t in self.tests],
            "extra_data": {
                "i18n": texts,
                "gradable": self.gradable,
                "format_errors": [text(e).get(lang) for e in self.format_errors],
                "stdout": self.stdout,
                "engine_version": self.engine_version,
                "assignment_hash": self.assignment_hash,
                "submission_sha256": self.submission_sha256,
                "stage_times": {k: round(v, 4) for k, v in self.stage_times.items()},
                "sandbox": self.sandbox,
                "seed": self.seed,
            },
        }
        if with_artifacts:
            data["extra_data"]["artifacts"] = [a.to_json(lang=lang) for a in self.artifacts]
        return data

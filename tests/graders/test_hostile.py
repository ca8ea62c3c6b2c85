"""Hostile submissions end as ordinary results, and leave the host as they found it.

Each file in tests/graders/files/ is a toy.py that attacks the grader (see its docstring).
For every one, through the real engine:
  * the result is a normal, gradable Result of all five checks, below full marks;
  * exactly the checks of the functions the file implements correctly pass, and every
    other check fails with a message a student can act on (named per check below);
  * no output tells of a leak or an escalation (the files say SEQLAB_LEAKED / _ESCALATED);
  * no process is left: nothing below our zygote, no sandbox-uid process outside a
    sandbox, no process with a hostile marker;
  * nothing outside a sandbox's scratch changed: sentinel files in the repository and in
    /tmp are untouched, and no file a hostile file tries to plant exists on the host;
  * the grader process is unchanged (cwd, environment, signal handlers, no student module
    imported, nothing unpickled), and it grades the reference solution to full marks next.
"""
from __future__ import annotations

import os
import pickle
import re
import signal
import sys
from pathlib import Path

import pytest
import torch

from graders.contracts import Job
from tests.conftest import REPO, TOY
from tests.graders import hostcheck

FILES = Path(__file__).resolve().parent / "files"
SOLUTION = (TOY / "solution" / "toy.py").read_bytes()
CHECKS = ("1.1", "2.1", "2.2", "2.3", "2.4")

DIFFER = "values differ from the expected ones"
ENDED = "your code ended the process (exit code 0); do not call exit() or os._exit()"
NOT_TENSOR = "expected a torch.Tensor, got"
MALFORMED = "the sandbox sent malformed data"

# file -> (checks that must pass, {failed check: text its message must contain}).
# Checks: 1.1 double, 2.1 double keeps its input, 2.2 softmax_rows, 2.3 double_sum, 2.4 Scale.
EXPECT: dict[str, tuple[set[str], dict[str, str]]] = {
    "monkeypatch_allclose.py": ({"2.1", "2.2"}, {"1.1": f"double(x): 12 of 12 {DIFFER}", "2.3": DIFFER,
                                                 "2.4": f"Scale(x): 6 of 6 {DIFFER}"}),
    "monkeypatch_testing.py": ({"2.1", "2.4"}, {"1.1": DIFFER, "2.2": f"softmax: 42 of 42 {DIFFER}",
                                                "2.3": DIFFER}),
    "os_exit.py": ({"2.2"}, {"1.1": f"double: {ENDED}", "2.1": f"double: {ENDED}",
                             "2.3": "double_sum raised SystemExit",
                             "2.4": "Scale.forward: your code crashed (segmentation fault)"}),
    "os_exit_import.py": (set(), {c: f"importing toy.py: {ENDED}" for c in CHECKS}),
    "fake_results_stdout.py": ({"2.1"}, {"1.1": "you returned x unchanged", "2.2": DIFFER, "2.3": DIFFER,
                                         "2.4": DIFFER}),
    "fake_results_file.py": ({"2.4"}, {"1.1": "double raised RuntimeError: no write outside the scratch worked",
                                       "2.1": "no write outside the scratch worked", "2.2": DIFFER,
                                       "2.3": DIFFER}),
    "atexit_trick.py": ({"2.1", "2.2"}, {"1.1": DIFFER, "2.3": DIFFER, "2.4": DIFFER}),
    "import_reference.py": (set(), {"1.1": "double raised RuntimeError: SEQLAB_NOTHING_LEAKED",
                                    "2.1": "SEQLAB_NOTHING_LEAKED",
                                    "2.2": "softmax_rows raised RuntimeError: SEQLAB_NOTHING_LEAKED",
                                    "2.3": "double_sum raised RuntimeError: SEQLAB_NOTHING_LEAKED",
                                    "2.4": "Scale(...) raised RuntimeError: SEQLAB_NOTHING_LEAKED"}),
    "stack_gc_inspection.py": ({"2.1", "2.4"}, {"1.1": DIFFER, "2.2": DIFFER, "2.3": DIFFER}),
    "infinite_loop.py": ({"1.1", "2.1", "2.3", "2.4"}, {"2.2": "timed out after 2 s in softmax_rows"}),
    "ignore_sigterm.py": ({"1.1", "2.1", "2.2", "2.4"}, {"2.3": "timed out after 2 s in double_sum"}),
    "memory_bomb.py": (set(), {"1.1": "double: ran out of memory (limit 256 MiB)",
                               "2.1": "double: ran out of memory (limit 256 MiB)",
                               "2.2": "softmax_rows: ran out of memory (limit 256 MiB)",
                               "2.3": "double_sum: ran out of memory (limit 256 MiB)",
                               "2.4": "Scale.forward raised OSError: [Errno 27] File too large"}),
    "fork_bomb.py": ({"2.2", "2.4"}, {"1.1": "double raised RuntimeError: can't start new thread",
                                      "2.1": "can't start new thread",
                                      "2.3": "timed out after 2 s in double_sum"}),
    "network.py": ({"2.2", "2.4"}, {"1.1": "double raised ConnectionError: SEQLAB_NO_NETWORK",
                                    "2.1": "SEQLAB_NO_NETWORK", "2.3": DIFFER}),
    "write_outside_scratch.py": ({"2.2", "2.3", "2.4"}, {"1.1": "double raised PermissionError: SEQLAB_READ_ONLY",
                                                         "2.1": "SEQLAB_READ_ONLY"}),
    "huge_output.py": ({"2.1", "2.2", "2.4"}, {"1.1": "you returned x unchanged", "2.3": DIFFER}),
    "pickle_payload.py": ({"2.1"}, {"1.1": f"double(x): {NOT_TENSOR}", "2.2": f"softmax: {NOT_TENSOR}",
                                    "2.3": f"gradient: {NOT_TENSOR}", "2.4": f"Scale(x): {NOT_TENSOR}"}),
    "tensor_subclass.py": ({"2.1"}, {"1.1": f"double(x): {NOT_TENSOR}", "2.2": NOT_TENSOR, "2.3": NOT_TENSOR,
                                     "2.4": NOT_TENSOR}),
    "privilege.py": ({"2.2", "2.3", "2.4"}, {"1.1": "double raised PermissionError: SEQLAB_UNPRIVILEGED",
                                             "2.1": "SEQLAB_UNPRIVILEGED"}),
    "daemon.py": ({"2.1", "2.2", "2.3", "2.4"}, {"1.1": DIFFER}),
    "protocol_forgery.py": (set(), {"1.1": f"double: {MALFORMED} (header of 4294967295 bytes is too large)",
                                    "2.1": MALFORMED,
                                    "2.2": f"softmax_rows: {MALFORMED} (the reply is nested too deeply)",
                                    "2.3": "timed out after 2 s in double_sum",
                                    "2.4": f"Scale.forward: {MALFORMED} (dtype 'object' is not allowed)"}),
    "stall_at_import.py": (set(), {c: "timed out after 2 s in importing toy.py" for c in CHECKS}),
    "reply_colliding_keys.py": ({"2.2", "2.3", "2.4"}, {"1.1": f"double: {MALFORMED} (more than 8 dict keys share one hash)",
                                                        "2.1": "share one hash"}),
    "reply_shared_buffer.py": ({"2.2", "2.3", "2.4"}, {"1.1": f"double: {MALFORMED} (a buffer is referenced twice)",
                                                       "2.1": "a buffer is referenced twice"}),
    "reply_deep.py": ({"2.2", "2.3"}, {"1.1": f"double: {MALFORMED} (value nested deeper than",
                                       "2.1": "nested deeper than",
                                       "2.4": f"Scale.forward: {MALFORMED} (value nested deeper than"}),
    # Both lines catch these: the static scan first (by name); with it bypassed, the tripwires
    # (test_the_runtime_line_holds_where_the_static_scan_is_bypassed below).
    "banned_at_runtime.py": (set(), {c: "Banned API" for c in CHECKS}),
    "tripwire_tamper.py": (set(), {c: "Banned API" for c in CHECKS}),
    "cpu_fork_busy.py": ({"1.1", "2.1", "2.2", "2.4"}, {"2.3": DIFFER}),
    # double ran out of memory in 1.1, so its other check (2.1) fails at once (graders/budget.py).
    "memory_bomb_12.py": ({"2.2", "2.3", "2.4"}, {"1.1": "double", "2.1": "double"}),
    "seed_probe.py": ({"1.1", "2.1", "2.2", "2.4"}, {"2.3": DIFFER}),
    "reply_then_real_reply.py": ({"1.1", "2.1", "2.2", "2.4"}, {"2.3": f"double_sum: {MALFORMED}"}),
}
# Files with a test of their own below (not in the table above).
KNOWN_GAPS = {"memory_across_processes.py", "nested_frame_at_import.py"}

# Files a hostile submission tries to create or change on the host, by name; a results.json
# counts only if it holds a hostile file's marker (other engineers' runs may write one).
PLANTED = re.compile(r"seqlab_pwned|results\.json$|daemon_was_here|scratch_is_writable|^fill\d+$|^hardlink$|^lnk$")
SENTINEL_TEXT = b"the sandbox must not change this file\n"


def _watched_dirs() -> list[Path]:
    torch_dir = Path(torch.__file__).resolve().parent
    dirs = [REPO, REPO / "tests", REPO / "tests" / "graders", Path("/tmp"), Path("/"), Path("/etc"), Path("/usr"),
            Path("/usr/bin"), Path("/usr/lib"), Path(sys.prefix), torch_dir.parent, torch_dir, Path("/root"),
            Path("/work"), Path("/autograder"), Path("/autograder/results"), Path.home()]
    return sorted({d for d in dirs})


def _planted_files() -> dict[str, tuple[int, int]]:
    found = {}
    for folder in _watched_dirs():
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            if PLANTED.search(name):
                path = folder / name
                try:
                    st = path.lstat()
                    if name.endswith("results.json") and b"SEQLAB" not in path.read_bytes()[:1 << 16]:
                        continue
                except OSError:
                    continue
                found[str(path)] = (st.st_mtime_ns, st.st_size)
    return found


# ------------------------------------------------------------------ what some attacks must show besides

def _forged_stdout_is_only_text(result):
    assert "SEQLAB_FAKE_RESULTS" in result.stdout          # it was printed, and kept for staff ...
    assert result.to_json()["score"] == 2                  # ... and changed nothing


def _huge_output_is_truncated_and_counted(result):
    dropped = re.search(r"\[\.\.\. (\d+) more bytes of output were dropped\]", result.stdout)
    assert dropped and int(dropped.group(1)) >= 300_000_000 - (64 << 10)
    assert len(result.stdout.encode()) <= (64 << 10) + 100


def _exit_handlers_never_ran(result):
    assert "SEQLAB_ATEXIT_RAN" not in result.stdout
    assert result.sandbox.get("signal") == "SIGKILL"       # ended by the grader, not by itself


def _daemons_ran(result):
    # They did run (their chatter reached the output); that none survived is checked for every file.
    assert "SEQLAB_THREAD still here" in result.stdout and "SEQLAB_HOSTILE_DAEMON" in result.stdout


def _each_fault_restarted_the_sandbox(result):
    assert result.sandbox["restarts"] == 2                 # after double's two exits; the segfault ends it
    assert result.sandbox.get("signal") == "SIGSEGV"


def _each_timeout_restarted_the_sandbox(result):
    assert result.sandbox["restarts"] == 1


def _malformed_reply_retired_its_sandbox(result):
    assert result.sandbox["restarts"] == 1                 # the next check ran in a fresh sandbox


EXTRA = {"reply_then_real_reply.py": _malformed_reply_retired_its_sandbox, "fake_results_stdout.py": _forged_stdout_is_only_text, "huge_output.py": _huge_output_is_truncated_and_counted,
         "atexit_trick.py": _exit_handlers_never_ran, "daemon.py": _daemons_ran,
         "os_exit.py": _each_fault_restarted_the_sandbox, "infinite_loop.py": _each_timeout_restarted_the_sandbox,
         "ignore_sigterm.py": _each_timeout_restarted_the_sandbox}


@pytest.fixture(scope="module")
def host_state():
    """Sentinels the hostile files aim at, and what already exists that they might overwrite.

    Named per test process: another engineer may run this suite at the same time."""
    tag = f".{os.getpid()}"
    sentinels = [REPO / "tests" / "graders" / f".seqlab_hostile_sentinel{tag}",
                 Path(f"/tmp/seqlab_hostile_sentinel{tag}")]
    for path in sentinels:
        path.write_bytes(SENTINEL_TEXT)
        path.chmod(0o644)
    state = {"sentinels": {p: p.stat() for p in sentinels}, "planted": _planted_files(),
             "autograder": Path("/autograder").exists(), "nobody": hostcheck.baseline_sandbox_uid_pids()}
    yield state
    for path in sentinels:
        path.unlink(missing_ok=True)


@pytest.fixture
def no_unpickling(monkeypatch):
    """The grader must never unpickle anything while grading (the protocol has no pickle)."""
    def refuse(*_args, **_kwargs):
        raise AssertionError("the grader tried to unpickle data")
    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "Unpickler", refuse)


def _grade(engine, content: bytes):
    return engine.grade(Job(assignment_dir=str(TOY), filename="toy.py", content=content))


def _grader_state() -> dict:
    return {"cwd": os.getcwd(), "env": dict(os.environ),
            "signals": {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD,
                                                         signal.SIGPIPE)}}


def _assert_host_untouched(engine, host_state) -> None:
    found = hostcheck.wait_for_no_leftovers(engine.zygote.proc.pid, ignore=host_state["nobody"])
    assert not found, "processes left behind:\n" + "\n".join(found)
    for path, before in host_state["sentinels"].items():
        now = path.stat()
        assert path.read_bytes() == SENTINEL_TEXT, f"{path} was changed"
        assert (now.st_mtime_ns, now.st_mode, now.st_uid, now.st_ino) == \
               (before.st_mtime_ns, before.st_mode, before.st_uid, before.st_ino), f"{path} was touched"
    planted = _planted_files()
    new = {p: v for p, v in planted.items() if host_state["planted"].get(p) != v}
    assert not new, f"files planted or changed on the host: {sorted(new)}"
    assert Path("/autograder").exists() == host_state["autograder"]


def _assert_grader_alive(engine) -> None:
    again = _grade(engine, SOLUTION)
    assert again.score == again.max_score == 10, [t.output for t in again.tests if t.status != "passed"]


def test_every_hostile_file_has_expectations():
    files = {p.name for p in FILES.glob("*.py")}
    assert files == set(EXPECT) | KNOWN_GAPS and set(EXTRA) <= set(EXPECT)
    for name, (passing, failing) in EXPECT.items():
        assert passing.isdisjoint(failing) and passing | set(failing) == set(CHECKS), name


@pytest.mark.parametrize("name", sorted(EXPECT))
def test_hostile_submission_is_contained(engine, host_state, no_unpickling, name):
    passing, failing = EXPECT[name]
    grader_before = _grader_state()
    result = _grade(engine, (FILES / name).read_bytes())

    assert result.gradable and not result.format_errors
    assert [t.number for t in result.tests] == list(CHECKS)
    assert result.max_score == 10 and result.score < result.max_score
    by_number = {t.number: t for t in result.tests}
    assert {n for n, t in by_number.items() if t.status == "passed"} == passing, \
        {n: f"{t.status}: {t.output[:300]}" for n, t in sorted(by_number.items(), key=lambda kv: kv[0] != "2.1")}
    for number, text in failing.items():
        check = by_number[number]
        assert check.status == "failed" and check.score == 0
        assert text in check.output, f"{number}: {check.output!r}"
    for check in result.tests:
        assert "SEQLAB_LEAKED" not in check.output and "SEQLAB_ESCALATED" not in check.output, check.output
        # Messages show the student's own frames and words, never the grader's files.
        assert str(REPO) not in check.output and "graders/" not in check.output, check.output
    assert result.to_json()["score"] == result.score
    if name in EXTRA:
        EXTRA[name](result)

    _assert_host_untouched(engine, host_state)
    assert _grader_state() == grader_before
    assert "toy" not in sys.modules and not any(
        str(getattr(m, "__file__", "") or "").startswith(str(FILES)) for m in list(sys.modules.values()))
    _assert_grader_alive(engine)


# ------------------------------------------------------------------ known gaps (strict: they flip when fixed)

def test_memory_limit_covers_the_whole_process_tree(engine, host_state):
    result = _grade(engine, (FILES / "memory_across_processes.py").read_bytes())
    found = hostcheck.wait_for_no_leftovers(engine.zygote.proc.pid, ignore=host_state["nobody"])
    if found:
        raise RuntimeError(f"processes left behind: {found}")       # not the expected failure
    by_number = {t.number: t for t in result.tests}
    assert by_number["1.1"].status == "failed" and "memory" in by_number["1.1"].output


def test_a_malformed_reply_to_the_import_is_a_protocol_error(engine, host_state):
    result = _grade(engine, (FILES / "nested_frame_at_import.py").read_bytes())
    found = hostcheck.wait_for_no_leftovers(engine.zygote.proc.pid, ignore=host_state["nobody"])
    if found:
        raise RuntimeError(f"processes left behind: {found}")       # not the expected failure
    _assert_grader_alive(engine)
    assert result.score == 0
    assert all(MALFORMED in t.output for t in result.tests), [t.output for t in result.tests]


def test_wrong_type_messages_name_what_was_returned(engine):
    payload = {t.number: t.output for t in _grade(engine, (FILES / "pickle_payload.py").read_bytes()).tests}
    subclass = {t.number: t.output for t in _grade(engine, (FILES / "tensor_subclass.py").read_bytes()).tests}
    assert "Payload" in payload["1.1"] and "RemoteObject" not in payload["1.1"]
    # A subclass of torch.Tensor is named as its class statement would name it (in any language).
    assert "class toy.Liar(torch.Tensor)" in subclass["1.1"] and "Foreign" not in subclass["1.1"]


RUNTIME_ONLY = {
    "banned_at_runtime.py": {"1.1": "Banned API torch.nn.functional.softmax called at runtime (line 25)",
                             "2.1": "Banned API torch.nn.functional.softmax called at runtime (line 25)",
                             "2.2": "Banned API torch.nn.functional.softmax called at runtime (line 31)",
                             "2.3": "Banned API .backward called at runtime (line 39)",
                             "2.4": "Banned API torch.nn.functional.softmax called at runtime (line 49)"},
    "tripwire_tamper.py": {c: "record of banned API calls is missing or was tampered with" for c in CHECKS},
}


@pytest.mark.parametrize("name", sorted(RUNTIME_ONLY))
def test_the_runtime_line_holds_where_the_static_scan_is_bypassed(grade_toy, monkeypatch, name):
    """No static scan sees every lookup: with it switched off, the sandbox's tripwires still catch these."""
    from graders.stages import static_check
    monkeypatch.setattr(static_check, "find_banned", lambda *args, **kwargs: {})
    result = grade_toy((FILES / name).read_bytes())
    outputs = {t.number: str(t.output) for t in result.tests}
    for number, expected in RUNTIME_ONLY[name].items():
        assert expected in outputs[number], (number, outputs[number])
    assert result.score == 0

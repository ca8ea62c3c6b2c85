"""Hostile toy.py: look for the reference solution, the checks and secrets, and use them.

Tries `import reference` / `import graders.checks`, reads the repository, assignments/ and
tests/hidden from disk (at the usual paths and by walking every visible directory), reads
/proc/1/environ, the parent's environment and cmdline, /root, and every open file
descriptor. If any of it yields the reference, double/double_sum use it and would pass.
Expected: nothing is found; every check fails with a report "SEQLAB_NOTHING_LEAKED ..."
(double/double_sum/softmax_rows raise it; Scale's constructor raises it too).
"""
import os
import sys

import torch

REPO_GUESSES = ["/work/main", "/work", "/repo", "/app", "/srv/seqlab", "/code", "/root/seqlab", "/home"]
SECRETS = ("SECRET_KEY", "DATABASE_URL", "REDIS", "PASSWORD", "TOKEN", "AWS_", "DJANGO")
found = []            # (what, detail) pairs: anything here is a leak
attempts = []


def _note(what, ok, detail=""):
    attempts.append(f"{what}:{'LEAK' if ok else 'no'}")
    if ok:
        found.append((what, detail))


def _try_import(name, load):
    try:
        mod = load()
        _note(f"import {name}", True, getattr(mod, "__file__", ""))
        return mod
    except BaseException:
        _note(f"import {name}", False)
        return None


reference = _try_import("reference", lambda: __import__("reference"))
_try_import("reference.toy", lambda: __import__("reference.toy"))
_try_import("graders.checks", lambda: __import__("graders.checks"))
_try_import("graders.assignment", lambda: __import__("graders.assignment"))
_try_import("seqlab", lambda: __import__("seqlab"))
_try_import("toy_solution", lambda: __import__("toy_solution"))

# The grader names the modules it loads from an assignment "seqlab_assignment_<slug>_...".
_loaded = [n for n in sys.modules if n.startswith("seqlab_assignment") or n.startswith("reference")]
_note("grader modules in sys.modules", bool(_loaded), ",".join(_loaded))

SOLUTION_SOURCE = None
for root in REPO_GUESSES:
    for rel in ("tests/graders/toy/solution/toy.py", "reference/__init__.py", "assignments",
                "tests/graders/toy/tests/hidden/test_more.py", "graders/checks.py", ".env", ".git/config"):
        path = os.path.join(root, rel)
        try:
            if os.path.isdir(path):
                _note(f"list {path}", True, str(os.listdir(path)[:5]))
            else:
                with open(path) as fh:
                    text = fh.read()
                _note(f"read {path}", True, text[:80])
                if rel.endswith("solution/toy.py"):
                    SOLUTION_SOURCE = text
        except OSError:
            _note(f"read {path}", False)

# Walk everything visible (skipping the huge read-only system trees) for assignment files.
# The interpreter's own trees are shown read-only (a .venv may sit in the repository: its path is
# no secret, sys.prefix says it anyway); they hold packages, not the course.
SKIP = {"/usr", "/proc", "/root/.pyenv", "/sys", "/dev", sys.prefix, sys.base_prefix, sys.exec_prefix}
for top, dirs, files in os.walk("/"):
    dirs[:] = [d for d in dirs if os.path.join(top, d) not in SKIP]
    for f in files:
        if f in ("assignment.toml", "test_more.py", "test_double.py", "mistakes.py") or (
                f == "toy.py" and "solution" in top):
            _note(f"found {os.path.join(top, f)}", True)
            if f == "toy.py":
                with open(os.path.join(top, f)) as fh:
                    SOLUTION_SOURCE = fh.read()

for path in ("/proc/1/environ", "/proc/self/environ", f"/proc/{os.getppid()}/environ",
             f"/proc/{os.getppid()}/cmdline", "/proc/1/cmdline", "/root", "/root/.ssh", "/root/.bash_history",
             "/etc/shadow", "/etc/environment", "/run/secrets", "/var/run/secrets"):
    try:
        if os.path.isdir(path):
            entries = [e for e in os.listdir(path) if e not in (".pyenv",)]
            _note(f"list {path}", bool(entries), str(entries[:5]))
            continue
        with open(path, "rb") as fh:
            data = fh.read()
        # A command line names the interpreter (under the repository when it is a .venv there), so
        # only secrets count; an environment leaks by holding secrets or the grader's PYTHONPATH.
        leaky = any(s.encode() in data for s in SECRETS) or (
            path.endswith("environ") and (b"PYTHONPATH" in data or b"/work" in data))
        _note(f"read {path}", leaky, data[:120].decode("latin-1"))
    except OSError:
        _note(f"read {path}", False)

_note("secrets in os.environ", any(k.startswith(SECRETS) for k in os.environ), str(sorted(os.environ)))

for fd in range(0, 256):
    try:
        target = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        continue
    if target.startswith(("socket:", "pipe:", "/dev/null")):
        continue
    _note(f"fd {fd} -> {target}", True)            # a file or directory fd from outside

# An open directory fd from outside would allow fchdir/openat escapes.
for fd in range(3, 256):
    try:
        os.fchdir(fd)
        _note(f"fchdir {fd}", os.getcwd() != "/tmp", os.getcwd())
    except OSError:
        pass
os.chdir("/tmp")

if SOLUTION_SOURCE:
    # Load the leaked solution as a module of its own (written where this process can write).
    with open("seqlab_leaked_solution.py", "w") as fh:
        fh.write(SOLUTION_SOURCE)
    sys.path.insert(0, os.getcwd())
    import seqlab_leaked_solution as reference


def _report():
    if found:
        return "SEQLAB_LEAKED " + "; ".join(f"{w} ({d[:60]})" for w, d in found)
    return f"SEQLAB_NOTHING_LEAKED after {len(attempts)} attempts"


def double(x):
    if reference is not None and hasattr(reference, "double"):
        return reference.double(x)
    raise RuntimeError(_report())


def softmax_rows(x):
    raise RuntimeError(_report())


def double_sum(x):
    if reference is not None and hasattr(reference, "double_sum"):
        return reference.double_sum(x)
    raise RuntimeError(_report())


class Scale(torch.nn.Module):
    def __init__(self, d):
        super().__init__()
        raise RuntimeError(_report())

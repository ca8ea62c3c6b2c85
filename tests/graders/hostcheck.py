"""Host-side evidence that a sandbox left nothing behind (plain /proc reading; no psutil).

Other engineers' engines may be grading on this machine at the same time (even these very
hostile files), so a process with a sandbox uid or a hostile marker is not by itself a
leak: it is accounted for while a root-owned zygote is among its ancestors. A leftover is
  * a process below *our* zygote once nothing is being graded (a middle, a sandbox child
    or anything it started),
  * a process with a sandbox uid, or with a hostile file's marker in its command line or
    name, and no zygote above it (it escaped its sandbox's PID namespace).
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from graders.sandbox.isolate import is_sandbox_uid

MARKERS = ("SEQLAB_HOSTILE",)            # in command lines of processes the hostile files start
NAMES = ("seqlab_hostile",)              # process names (comm) they set


def processes() -> dict[int, dict]:
    """pid -> uid, ppid, name, cmdline for every process still readable."""
    out: dict[int, dict] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("State", "").strip().startswith(("Z", "X")):
            continue                     # already dead, only waiting to be reaped
        out[int(entry)] = {"uid": int(fields["Uid"].split()[0]), "ppid": int(fields["PPid"]),
                           "name": fields["Name"].strip(),
                           "cmdline": cmdline.replace(b"\0", b" ").decode("utf-8", "replace").strip()}
    return out


def ancestors(pid: int, procs: dict[int, dict]) -> list[int]:
    chain, seen = [], set()
    while pid in procs and pid not in seen:
        seen.add(pid)
        pid = procs[pid]["ppid"]
        chain.append(pid)
    return chain


def _is_zygote(info: dict) -> bool:
    return info["uid"] == 0 and "graders.sandbox.zygote" in info["cmdline"]


def leftovers(zygote_pid: int, ignore: set[int] = frozenset()) -> list[str]:
    """Processes that should not exist when our engine is idle (see module docstring)."""
    procs = processes()
    me = os.getpid()
    found = []
    for pid, info in procs.items():
        if pid in ignore or pid == me:
            continue
        chain = ancestors(pid, procs)
        label = f"pid {pid} uid {info['uid']} {info['name']!r} {info['cmdline'][:100]!r}"
        if zygote_pid in chain:
            found.append("still below our zygote: " + label)
        elif any(_is_zygote(procs[a]) for a in chain if a in procs):
            continue                     # another engine's sandbox, still running
        elif any(m in info["cmdline"] for m in MARKERS) or info["name"] in NAMES:
            found.append("hostile marker outside any sandbox: " + label)
        elif is_sandbox_uid(info["uid"]):
            found.append("sandbox uid outside any sandbox: " + label)
    return found


def wait_for_no_leftovers(zygote_pid: int, ignore: set[int] = frozenset(), timeout: float = 3.0) -> list[str]:
    """Leftovers after giving the middles `timeout` s to exit (they do right after reporting)."""
    deadline = time.monotonic() + timeout
    while True:
        found = leftovers(zygote_pid, ignore)
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def baseline_sandbox_uid_pids() -> set[int]:
    """Processes with a sandbox uid that exist before we start (a host's own `nobody`)."""
    procs = processes()
    return {p for p, i in procs.items() if is_sandbox_uid(i["uid"])
            and not any(_is_zygote(procs[a]) for a in ancestors(p, procs) if a in procs)}

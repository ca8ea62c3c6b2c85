"""`python -m seqlab.grading.health [QUEUES]`: exit 0 when the supervisor and its workers live.

The container health check of a grading host. It reads the supervisor's state file only (no
Django, no torch: it runs every few seconds), so it costs a few milliseconds.
"""
from __future__ import annotations

import json
import os
import sys
import time

from seqlab.grading.supervisor import state_path

STALE_SECONDS = 30


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def problems(queues: str, now: float | None = None) -> list[str]:
    """What is wrong with this host's grading supervisor for `queues` ([] when healthy)."""
    try:
        state = json.loads(state_path(queues).read_text())
    except (OSError, ValueError) as exc:
        return [f"no supervisor state: {exc}"]
    found = []
    if (now or time.time()) - state.get("at", 0) > STALE_SECONDS:
        found.append("the supervisor's state is stale")
    if not _alive(int(state.get("pid", 0))):
        found.append("the supervisor is gone")
    found += [f"worker {name} (pid {pid}) is gone" for name, pid in state.get("children", {}).items()
              if not _alive(int(pid))]
    return found


def main(argv: list[str]) -> int:
    queues = argv[0] if argv else os.environ.get("SEQLAB_QUEUES", "cpu")
    found = problems(queues)
    print("; ".join(found) or f"grading supervisor for {queues}: healthy")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Read which grading runs have a message waiting in the Redis broker, without consuming any.

Kombu's Redis transport keeps each queue as a list (one per priority step: `cpu`,
`cpu\\x06\\x163`, ...), each item the JSON envelope of one message whose body is the
task's [args, kwargs, embed]. Messages a worker has taken are not in the lists: the worker's
heartbeat names them (seqlab.grading.heartbeat).
"""
from __future__ import annotations

import base64
import json

from seqlab.grading.heartbeat import GRADE_TASK, run_key

PRIORITY_SEP = "\x06\x16"
PRIORITY_STEPS = (0, 3, 6, 9)


def _queue_keys(queue: str) -> list[str]:
    return [queue] + [f"{queue}{PRIORITY_SEP}{step}" for step in PRIORITY_STEPS[1:]]


def message_run(raw: bytes | str) -> str | None:
    """The "<submission>:<run>" a grading message is for, or None for any other message."""
    try:
        envelope = json.loads(raw)
        if envelope.get("headers", {}).get("task") != GRADE_TASK:
            return None
        body = envelope["body"]
        if envelope.get("properties", {}).get("body_encoding") == "base64":
            body = base64.b64decode(body)
        args = json.loads(body)[0]
        return run_key(int(args[0]), int(args[1]))
    except (ValueError, KeyError, IndexError, TypeError):
        return None


def queued_runs(client, queues: set[str]) -> set[str]:
    """Runs with a message waiting in any of these queues."""
    found = set()
    for queue in queues:
        for key in _queue_keys(queue):
            for raw in client.lrange(key, 0, -1):
                run = message_run(raw)
                if run:
                    found.add(run)
    return found


def queue_lengths(client, queues: set[str]) -> dict[str, int]:
    """Messages waiting per queue (all priority steps together)."""
    return {queue: sum(client.llen(key) for key in _queue_keys(queue)) for queue in sorted(queues)}

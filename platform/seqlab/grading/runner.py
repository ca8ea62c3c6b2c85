"""Keep one warm grading engine per worker process and hand it jobs.

Starting an engine imports torch (seconds); grading with a warm one costs milliseconds.
So a worker process starts it on its first job and keeps it. An engine that raised is
closed and replaced on the next job, because an infrastructure fault may have left it broken.
"""
from __future__ import annotations

import atexit
import inspect
import threading

from django.conf import settings
from django.utils.module_loading import import_string

from graders.contracts import Job, Result

_lock = threading.Lock()
_engine = None


def _engine_make():
    """The configured engine; the real one closes each sandbox and readies the next off the critical path."""
    cls = import_string(settings.SEQLAB_ENGINE)
    try:
        takes_background = "background" in inspect.signature(cls).parameters
    except (TypeError, ValueError):
        takes_background = False
    return cls(background=True) if takes_background and settings.SEQLAB_ENGINE_BACKGROUND else cls()


def _engine_get():
    global _engine
    if _engine is None:
        engine = _engine_make()
        engine.__enter__()
        _engine = engine
    return _engine


def engine_close() -> None:
    """Stop the warm engine (worker shutdown, or after it raised)."""
    global _engine
    engine, _engine = _engine, None
    if engine is not None:
        engine.__exit__(None, None, None)


def engine_warm() -> None:
    """Start the engine now rather than on the first job (a worker calls this at boot)."""
    with _lock:
        _engine_get()


def grade(job: Job) -> Result:
    """Grade one job on this process's warm engine; an exception means infrastructure failed."""
    with _lock:
        try:
            return _engine_get().grade(job)
        except BaseException:
            engine_close()
            raise


atexit.register(engine_close)

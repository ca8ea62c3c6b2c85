"""`seqlab check`: an assignment's public checks on this machine, through the grading engine.

The engine runs the student's file in its sandbox (namespaces) where the machine allows it and
says so otherwise (exit 3); this module only finds the engine and the assignment folder.
"""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from .api import ClientError
from .messages import Texts


def _assignment_folder(name: str, t: Texts) -> Path:
    folder = Path(name)
    if not (folder / "assignment.toml").is_file():
        folder = Path(os.environ.get("SEQLAB_ASSIGNMENTS", "assignments")) / name
    if not (folder / "assignment.toml").is_file():
        raise ClientError(t("no_folder", name=name))
    return folder.resolve()


def _engine_root(folder: Path) -> Path | None:
    """Where `graders` can be imported from: installed, or the course repository holding the folder."""
    if importlib.util.find_spec("graders") is not None:
        return None
    for parent in folder.parents:
        if (parent / "graders" / "__main__.py").is_file():
            return parent
    return Path("/nonexistent")


def _speaks_lang(env: dict) -> bool:
    """Older engines have no --lang; ask the engine rather than fail on an unknown option."""
    probe = subprocess.run([sys.executable, "-m", "graders", "grade", "--help"], env=env,
                           capture_output=True, text=True, timeout=120)
    return "--lang" in probe.stdout


def run_public_checks(assignment: str, file: str, t: Texts) -> int:
    folder = _assignment_folder(assignment, t)
    env = dict(os.environ)
    root = _engine_root(folder)
    if root is not None:
        if not (root / "graders").is_dir():
            raise ClientError(t("no_engine"))
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "graders", "grade", str(folder), str(Path(file).resolve()), "--public-only"]
    if _speaks_lang(env):
        command += ["--lang", t.lang]
    return subprocess.call(command, env=env)

"""Where `seqlab login` keeps the site's address and the token: the user's config folder, 0600."""
from __future__ import annotations

import json
import os
from pathlib import Path

DEFAULT_URL = "http://127.0.0.1:8000"


def config_path(environ=os.environ) -> Path:
    """$XDG_CONFIG_HOME/seqlab/config.json (~/.config/seqlab/ without it; %APPDATA% on Windows)."""
    base = environ.get("XDG_CONFIG_HOME") or (environ.get("APPDATA") if os.name == "nt" else "")
    return Path(base or Path.home() / ".config") / "seqlab" / "config.json"


def load(path: Path | None = None) -> dict:
    path = path or config_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save(values: dict, path: Path | None = None) -> Path:
    """Write the file readable by its owner only, from the first byte (never 0644 then chmod)."""
    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(values, handle)
    os.chmod(tmp, 0o600)          # O_CREAT's mode does not apply to a file that was already there
    os.replace(tmp, path)
    return path

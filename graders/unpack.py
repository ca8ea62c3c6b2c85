"""Read the containers a student may upload (a zip, a Jupyter notebook) without trusting them.

Every function here returns data or raises Unusable with a sentence for the student; nothing
a file holds can make it raise anything else, allocate past the bounds of graders/limits.py,
or reach outside the archive (members are kept by base name, as data, never written).
"""
from __future__ import annotations

import io
import json
import stat
import zipfile
from typing import Any

from graders.limits import (MAX_NOTEBOOK_CELLS, MAX_NOTEBOOK_CONTAINERS, MAX_SOURCE_BYTES, MAX_ZIP_MEMBERS,
                            MAX_ZIP_RATIO, MAX_ZIP_UNPACKED_BYTES)


class Unusable(ValueError):
    """The upload cannot be graded; the message says why, for the student."""


# ----------------------------------------------------------------------------- zip
def unzip(content: bytes) -> dict[str, bytes]:
    """Members of a zip by base name, refusing archives that are broken, huge, linked or ambiguous."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = [i for i in archive.infolist() if not i.is_dir() and "__MACOSX" not in i.filename]
        if len(infos) > MAX_ZIP_MEMBERS:
            raise Unusable(f"The zip holds {len(infos)} files; the limit is {MAX_ZIP_MEMBERS}.")
        members: dict[str, bytes] = {}
        budget = MAX_ZIP_UNPACKED_BYTES
        for info in infos:
            base = _member_name(info)
            if base in members:
                raise Unusable(f"The zip holds two files named {base!r}; keep one.")
            members[base] = _read_member(archive, info, budget)
            budget -= len(members[base])
        return members
    except Unusable:
        raise
    except MemoryError:
        raise Unusable("The zip is too large to unpack.") from None
    except Exception as exc:     # zipfile, zlib, bz2 and lzma raise many types on a damaged archive
        raise Unusable(f"The zip could not be read ({type(exc).__name__}: {str(exc)[:200]}); "
                       "make it again and upload it.") from None


def _member_name(info: zipfile.ZipInfo) -> str:
    if stat.S_ISLNK(info.external_attr >> 16):
        raise Unusable(f"The zip holds a symbolic link ({info.filename!r}); put the file itself in the zip.")
    base = info.filename.replace("\\", "/").rsplit("/", 1)[-1]
    if base in ("", ".", "..") or any(ord(c) < 32 for c in base):
        raise Unusable(f"The zip holds a file with an unusable name ({info.filename!r}).")
    return base


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    """Read one member, stopping at the budget whatever its header declares (zip bombs)."""
    limit = min(budget, MAX_ZIP_RATIO * max(info.compress_size, 1024))
    with archive.open(info) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise Unusable(f"The zip unpacks to more than {MAX_ZIP_UNPACKED_BYTES >> 20} MiB (or {info.filename!r} "
                       f"is compressed more than {MAX_ZIP_RATIO}:1); upload the files themselves.")
    return data


# ----------------------------------------------------------------------------- notebook
def notebook_cells(content: bytes) -> list[dict[str, Any]]:
    """The cells of a Jupyter notebook (format 4, or 3's worksheets), checked for shape."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Unusable(f"The notebook is not UTF-8 text (byte {exc.start}); download it again from Jupyter.") from None
    if text.count("[") + text.count("{") > MAX_NOTEBOOK_CONTAINERS:
        raise Unusable("The notebook holds too many JSON arrays and objects; clear its outputs and upload it again.")
    try:
        nb = json.loads(text)
    except RecursionError:
        raise Unusable("The notebook could not be read: its JSON is nested too deeply to be a notebook.") from None
    except ValueError as exc:
        raise Unusable(f"The notebook could not be read: it is not valid JSON ({str(exc)[:200]}); download it "
                       "again from Jupyter or submit a .py file.") from None
    if not isinstance(nb, dict):
        raise Unusable("The notebook's JSON is not an object; is it really a .ipynb file?")
    if "cells" in nb:
        cells = nb["cells"]
    elif isinstance(nb.get("worksheets"), list):         # nbformat 3
        cells = [c for ws in nb["worksheets"] if isinstance(ws, dict) for c in _as_list(ws.get("cells"), "cells")]
    else:
        raise Unusable("The notebook has no cells.")
    cells = _as_list(cells, "cells")
    if len(cells) > MAX_NOTEBOOK_CELLS:
        raise Unusable(f"The notebook has {len(cells)} cells; the limit is {MAX_NOTEBOOK_CELLS}.")
    for n, cell in enumerate(cells, 1):
        if not isinstance(cell, dict):
            raise Unusable(f"Cell {n} of the notebook is not a JSON object.")
    return cells


def notebook_code(content: bytes) -> bytes:
    """The code cells joined as one module (nbgrader test cells and IPython magics left out)."""
    parts = []
    for n, cell in enumerate(notebook_cells(content), 1):
        if cell.get("cell_type") != "code":
            continue
        meta = _as_dict(cell.get("metadata", {}), f"cell {n}'s metadata")
        nbgrader = _as_dict(meta.get("nbgrader", {}), f"cell {n}'s nbgrader metadata")
        if nbgrader.get("grade") and not nbgrader.get("solution"):
            continue            # an nbgrader test cell: checks run in the grader, not here
        # The compiler reads \r\n and \r as \n: so do the magic-line rules here.
        source = _cell_source(cell.get("source", cell.get("input", "")), n).replace("\r\n", "\n").replace("\r", "\n")
        lines = [("# " + line) if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n")]
        parts.append("\n".join(lines))
    if not parts:
        raise Unusable("The notebook has no code cells.")
    code = "\n\n".join(parts) + "\n"
    try:
        data = code.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise Unusable(f"The notebook's code holds a character that is not text (U+{ord(code[exc.start]):04X}, "
                       "a lone surrogate); remove it and upload again.") from None
    if len(data) > MAX_SOURCE_BYTES:
        raise Unusable(f"The notebook's code is {len(data) >> 10} KiB; the limit is {MAX_SOURCE_BYTES >> 10} KiB.")
    return data


def _cell_source(value: Any, n: int) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(x, str) for x in value):
        return "".join(value)
    raise Unusable(f"Cell {n} of the notebook has a source that is not text ({type(value).__name__}).")


def _as_list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise Unusable(f"The notebook's {what} are not a JSON array.")
    return value


def _as_dict(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Unusable(f"The notebook's {what} is not a JSON object.")
    return value


__all__ = ["Unusable", "notebook_cells", "notebook_code", "unzip"]

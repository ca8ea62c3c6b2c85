"""Stage: turn the uploaded bytes into the module the sandbox loads.

Accepts the contract's `.py` file (under any .py name) or a Jupyter notebook, whose code
cells are joined (nbgrader test cells and IPython magics are left out). Anything unusable
makes the result ungradable, which costs the student no attempt.
"""
from __future__ import annotations

import json

from graders.context import Context

MAX_SOURCE_BYTES = 1 << 20


def stage_upload(ctx: Context) -> None:
    """Validate the upload's type, size and encoding; extract code from a notebook."""
    job, expected = ctx.job, ctx.assignment.file
    name = job.filename.rsplit("/", 1)[-1]
    if not job.content.strip():
        return ctx.reject(f"The uploaded file {name!r} is empty.")
    if len(job.content) > 8 * MAX_SOURCE_BYTES:
        return ctx.reject(f"The upload is {len(job.content) >> 10} KiB; the limit is {8 * MAX_SOURCE_BYTES >> 10} KiB.")
    if name.endswith(".ipynb"):
        source = _notebook_code(ctx, job.content)
        if source is None:
            return
        ctx.notes.append(f"Graded the code cells of notebook {name} as {expected}.")
    elif name.endswith(".py"):
        source = job.content
        if name != expected:
            ctx.notes.append(f"Uploaded {name}; graded as {expected}.")
    else:
        return ctx.reject(f"Expected {expected} (or a notebook .ipynb), got {name!r}.")
    if len(source) > MAX_SOURCE_BYTES:
        return ctx.reject(f"The code is {len(source) >> 10} KiB; the limit is {MAX_SOURCE_BYTES >> 10} KiB.")
    if b"\0" in source:
        return ctx.reject(f"{name} contains NUL bytes: is it really a Python source file?")
    try:
        source.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return ctx.reject(f"{name} is not UTF-8 text (byte {exc.start}); save it as UTF-8 and upload it again.")
    ctx.source = source.removeprefix(b"\xef\xbb\xbf")
    ctx.filename = expected


def _notebook_code(ctx: Context, content: bytes) -> bytes | None:
    import nbformat
    try:
        nb = nbformat.reads(content.decode("utf-8"), as_version=4)
    except (UnicodeDecodeError, json.JSONDecodeError, nbformat.reader.NotJSONError, ValueError, KeyError) as exc:
        ctx.reject(f"The notebook could not be read ({type(exc).__name__}); download it again from the "
                   "assignment page or submit a .py file.")
        return None
    cells = []
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution"):
            continue            # an nbgrader test cell: checks run in the grader, not here
        lines = [("# " + line) if line.lstrip().startswith(("%", "!")) else line
                 for line in cell.get("source", "").splitlines()]
        cells.append("\n".join(lines))
    if not cells:
        ctx.reject("The notebook has no code cells.")
        return None
    return ("\n\n".join(cells) + "\n").encode("utf-8")

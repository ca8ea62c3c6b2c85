"""Stage: turn the uploaded bytes into the module the sandbox loads.

Accepts the contract's `.py` file (under any .py name), a Jupyter notebook (its code cells
are joined; nbgrader test cells and IPython magics are left out), or a .zip holding the
contract's file and the assignment's extra files (e.g. diagram.dot). Anything unusable makes
the result ungradable, which costs the student no attempt.
"""
from __future__ import annotations

import io
import json
import zipfile

from graders.context import Context

MAX_SOURCE_BYTES = 1 << 20
MAX_UPLOAD_BYTES = 8 << 20
MAX_ZIP_MEMBERS = 64


def stage_upload(ctx: Context) -> None:
    """Validate the upload's type, size and encoding; extract code from a notebook or zip."""
    job, expected = ctx.job, ctx.assignment.file
    name, content = job.filename.rsplit("/", 1)[-1], job.content
    if not content.strip():
        return ctx.reject(f"The uploaded file {name!r} is empty.")
    if len(content) > MAX_UPLOAD_BYTES:
        return ctx.reject(f"The upload is {len(content) >> 10} KiB; the limit is {MAX_UPLOAD_BYTES >> 10} KiB.")
    attachments = dict(job.attachments)
    if name.endswith(".zip"):
        members = _unzip(ctx, content)
        if members is None:
            return
        main = next((n for n in (expected,) if n in members), None) or next(
            (n for n in sorted(members) if n.endswith((".py", ".ipynb"))), None)
        if main is None:
            return ctx.reject(f"The zip holds no {expected} (nor a notebook).")
        name, content = main, members.pop(main)
        attachments = {**members, **attachments}
    _keep_attachments(ctx, attachments)
    if name.endswith(".ipynb"):
        source = _notebook_code(ctx, content)
        if source is None:
            return
        ctx.notes.append(f"Graded the code cells of notebook {name} as {expected}.")
    elif name.endswith(".py"):
        source = content
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


def _keep_attachments(ctx: Context, attachments: dict[str, bytes]) -> None:
    """Keep the extra files the assignment asks for; say which others were ignored."""
    wanted = set(ctx.assignment.extra_files)
    ctx.files = {n: b for n, b in attachments.items() if n in wanted}
    ignored = sorted(set(attachments) - wanted)
    if ignored:
        ctx.notes.append(f"Ignored files this assignment does not use: {', '.join(ignored)}.")


def _unzip(ctx: Context, content: bytes) -> dict[str, bytes] | None:
    """Members of a zip by base name, refusing archives that are broken, huge or ambiguous."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = [i for i in archive.infolist() if not i.is_dir() and "__MACOSX" not in i.filename]
        if len(infos) > MAX_ZIP_MEMBERS or sum(i.file_size for i in infos) > MAX_UPLOAD_BYTES:
            ctx.reject(f"The zip is too large (at most {MAX_ZIP_MEMBERS} files and "
                       f"{MAX_UPLOAD_BYTES >> 20} MiB unpacked).")
            return None
        members: dict[str, bytes] = {}
        for info in infos:
            base = info.filename.rsplit("/", 1)[-1]
            if base in members:
                ctx.reject(f"The zip holds two files named {base}; keep one.")
                return None
            members[base] = archive.read(info)
        return members
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, ValueError) as exc:
        ctx.reject(f"The zip could not be read ({exc}).")
        return None


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

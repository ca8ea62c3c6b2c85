"""Stage: turn the uploaded bytes into the module the sandbox loads.

Accepts the contract's `.py` file (under any .py name), a Jupyter notebook (its code cells
are joined; nbgrader test cells and IPython magics are left out), or a .zip holding the
contract's file and the assignment's extra files (e.g. diagram.dot). Anything unusable makes
the result ungradable, which costs the student no attempt: no byte of an upload can make
this stage raise.

The module must be UTF-8 without any other encoding declaration: the static scan and the
sandbox compile the same bytes, and refusing other encodings (`# coding: utf-7`, latin-1, a
BOM that contradicts its cookie, ...) keeps what a student, a TA and the grader read the same
text as what runs.
"""
from __future__ import annotations

import codecs
import io
import tokenize

from graders.context import Context
from graders.limits import MAX_SOURCE_BYTES, MAX_UPLOAD_BYTES
from graders.unpack import Unusable, notebook_code, unzip

BOM = codecs.BOM_UTF8


def stage_upload(ctx: Context) -> None:
    """Validate the upload's type, size and encoding; extract code from a notebook or zip."""
    try:
        name, source = _module(ctx)
        check_source(name, source)
    except Unusable as exc:
        return ctx.reject(str(exc))
    ctx.source = source.removeprefix(BOM)
    ctx.filename = ctx.assignment.file


def _module(ctx: Context) -> tuple[str, bytes]:
    """The uploaded file's name and the module's bytes; keeps the assignment's extra files."""
    job, expected = ctx.job, ctx.assignment.file
    name, content = job.filename.replace("\\", "/").rsplit("/", 1)[-1], job.content
    if not content.strip():
        raise Unusable(f"The uploaded file {name!r} is empty.")
    if len(content) > MAX_UPLOAD_BYTES:
        raise Unusable(f"The upload is {len(content) >> 10} KiB; the limit is {MAX_UPLOAD_BYTES >> 10} KiB.")
    attachments = dict(job.attachments)
    if name.endswith(".zip"):
        members = unzip(content)
        main = expected if expected in members else next(
            (n for n in sorted(members) if n.endswith((".py", ".ipynb"))), None)
        if main is None:
            raise Unusable(f"The zip holds no {expected} (nor a notebook).")
        name, content = main, members.pop(main)
        attachments = {**members, **attachments}
    _keep_attachments(ctx, attachments)
    if name.endswith(".ipynb"):
        source = notebook_code(content)
        ctx.notes.append(f"Graded the code cells of notebook {name} as {expected}.")
        return name, source
    if name.endswith(".py"):
        if name != expected:
            ctx.notes.append(f"Uploaded {name}; graded as {expected}.")
        return name, content
    raise Unusable(f"Expected {expected} (or a notebook .ipynb), got {name!r}.")


def check_source(name: str, source: bytes) -> None:
    """Refuse a module the compiler would read differently from its UTF-8 text."""
    if not source.removeprefix(BOM).strip():
        raise Unusable(f"{name} holds no code.")
    if len(source) > MAX_SOURCE_BYTES:
        raise Unusable(f"The code is {len(source) >> 10} KiB; the limit is {MAX_SOURCE_BYTES >> 10} KiB.")
    if b"\0" in source:
        raise Unusable(f"{name} contains NUL bytes: is it really a Python source file?")
    try:
        source.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Unusable(f"{name} is not UTF-8 text (byte {exc.start}); save it as UTF-8 and upload it again.") from None
    # The compiler reads \r\n and a lone \r as a line end before it looks for a cookie on
    # lines 1 and 2; tokenize.detect_encoding splits on \n only, so give it the compiler's lines.
    lines = source.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(lines).readline)
    except SyntaxError as exc:               # an unknown codec, or a BOM that contradicts the cookie
        raise Unusable(f"{name} has an encoding declaration Python cannot use ({exc.msg}); "
                       "remove it and save the file as UTF-8.") from None
    if codecs.lookup(encoding).name not in ("utf-8", "utf-8-sig"):
        raise Unusable(f"{name} declares the source encoding {encoding!r}; only UTF-8 is accepted. Remove the "
                       "`coding:` line and save the file as UTF-8.")


def _keep_attachments(ctx: Context, attachments: dict[str, bytes]) -> None:
    """Keep the extra files the assignment asks for; say which others were ignored."""
    wanted = set(ctx.assignment.extra_files)
    ctx.files = {n: b for n, b in attachments.items() if n in wanted}
    ignored = sorted(set(attachments) - wanted)
    if ignored:
        shown = ", ".join(repr(n) if not n.isprintable() else n for n in ignored[:20])
        ctx.notes.append(f"Ignored files this assignment does not use: {shown}"
                         + (f" and {len(ignored) - 20} more." if len(ignored) > 20 else "."))

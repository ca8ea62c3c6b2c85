"""What a page shows of a submission's files: highlighted up to a bound, the rest left to the download.

Highlighting costs time in proportion to the text (Pygments: roughly a second per 100 KiB on a
busy host), and whatever was stored earlier may be large, so every page highlights at most
HIGHLIGHT_MAX_BYTES and HIGHLIGHT_MAX_LINES over all of a submission's files together.
"""
from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.html import escape

from graders.limits import MAX_ZIP_MEMBERS
from seqlab.courses.presentation import code_html

HIGHLIGHT_MAX_BYTES = 32 * 1024
HIGHLIGHT_MAX_LINES = 1000
CODE_HTML_SECONDS = 24 * 3600
TEXT_SUFFIXES = (".py", ".dot", ".txt", ".md", ".json", ".ipynb")


@dataclass(frozen=True)
class SourceFile:
    name: str
    html: str              # highlighted (or escaped) text of the part shown
    shown_bytes: int
    total_bytes: int
    mark: int | None = None  # the line an error names, marked in the view

    @property
    def truncated(self) -> bool:
        return self.shown_bytes < self.total_bytes


def _head(data: bytes, budget: int) -> str:
    """The first `budget` bytes as text, cut at the line bound (a cut character becomes U+FFFD)."""
    text = data[:budget].decode("utf-8", errors="replace")
    lines = text.split("\n")
    return "\n".join(lines[:HIGHLIGHT_MAX_LINES])


def _render(name: str, data: bytes, total: int, budget: int, mark: int | None) -> SourceFile:
    text = _head(data, budget)
    shown = len(text.encode("utf-8", errors="replace"))
    # Python with line numbers (and the error's line marked); other text escaped as it is.
    html = _python_html(text, mark) if name.endswith(".py") else f'<pre class="highlight"><code>{escape(text)}</code></pre>'
    return SourceFile(name, html, min(shown, total), total, mark)


def _python_html(text: str, mark: int | None) -> str:
    """Highlighted once per text and marked line, then read from the cache: a submission's page is
    reloaded many times while it grades, and highlighting is most of what the page costs. The key
    is a digest of what is highlighted, so no one can make a page show someone else's entry."""
    key = "code-html:v1:" + hashlib.blake2b(f"{mark}\n{text}".encode("utf-8", "replace"), digest_size=20).hexdigest()
    html = cache.get(key)
    if html is None:
        html = code_html(text, mark=mark)
        cache.set(key, html, CODE_HTML_SECONDS)
    return html


def _members(data: bytes) -> list[tuple[str, bytes, int]]:
    """Text members of a stored zip, each read only as far as a page could show it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in archive.infolist() if not i.is_dir()][:MAX_ZIP_MEMBERS]
        found = []
        for info in infos:
            name = info.filename.rsplit("/", 1)[-1]
            if name.endswith(TEXT_SUFFIXES):
                with archive.open(info) as member:
                    found.append((name, member.read(HIGHLIGHT_MAX_BYTES), info.file_size))
        return found
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, ValueError, OSError, EOFError):
        return []


def text_file_names(*, filename: str, data: bytes) -> list[str]:
    """The names of the files a page would show, without reading (or highlighting) any of them."""
    if filename.endswith(".zip"):
        try:
            infos = [i for i in zipfile.ZipFile(io.BytesIO(data)).infolist() if not i.is_dir()][:MAX_ZIP_MEMBERS]
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, ValueError, OSError,
                EOFError):
            return []
        return [n for n in (i.filename.rsplit("/", 1)[-1] for i in infos) if n.endswith(TEXT_SUFFIXES)]
    return [filename] if filename.endswith(TEXT_SUFFIXES) and not filename.endswith(".ipynb") else []


def source_files(*, filename: str, data: bytes, marks: dict[str, int] | None = None) -> list[SourceFile]:
    """The files of a submission as the page shows them, within one shared highlighting budget;
    `marks` names, per file, the line an error points at."""
    if filename.endswith(".zip"):
        files = _members(data)
    elif filename.endswith(TEXT_SUFFIXES) and not filename.endswith(".ipynb"):
        files = [(filename, data[:HIGHLIGHT_MAX_BYTES], len(data))]
    else:
        files = []
    budget, shown = HIGHLIGHT_MAX_BYTES, []
    for name, head, total in files:
        if budget <= 0:
            shown.append(SourceFile(name, "", 0, total))
            continue
        view = _render(name, head, total, budget, (marks or {}).get(name))
        budget -= view.shown_bytes
        shown.append(view)
    return shown

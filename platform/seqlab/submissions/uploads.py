"""What a submission's files must be before anything is stored.

Each name is a plain file name the assignment asks for; several files travel to the engine as
one zip (the engine unpacks zips itself); and whatever the engine's upload stage would refuse
(size, type, encoding, a broken notebook or zip) is refused here first, with the engine's own
message, by running that stage on the bytes. Nothing refused here is stored or costs an attempt.
"""
from __future__ import annotations

import io
import stat
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from graders.context import Context
from graders.contracts import Job
from graders.limits import MAX_ZIP_MEMBERS
from graders.stages.upload import stage_upload

MAX_FILENAME_CHARS = 100
CODE_SUFFIXES = (".py", ".ipynb")
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)      # fixed member times: the same files make the same zip (and blob)


class SubmissionRefused(Exception):
    """The attempt breaks a rule of the offering; the message tells the student which."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class UploadFile:
    name: str
    content: bytes


@dataclass(frozen=True)
class Expected:
    """The names an assignment takes: its code file and the extra files (assignment.toml)."""

    file: str
    extra_files: tuple[str, ...] = ()

    @classmethod
    def of(cls, assignment) -> "Expected":
        """From the site's Assignment (its stored manifest) or the engine's (its fields)."""
        if hasattr(assignment, "current_version"):
            version = assignment.current_version
            extras = (version.manifest.get("extra_files") or ()) if version else ()
        else:
            extras = assignment.extra_files
        return cls(assignment.file, tuple(str(n) for n in extras if isinstance(n, str)))


def filename_problem(name: object) -> str | None:
    """Why `name` is not a plain file name we would store and send back in a header; None if fine."""
    if not isinstance(name, str) or not name:
        return _("A file name is required.")
    if len(name) > MAX_FILENAME_CHARS:
        return _("A file name has at most %(n)d characters.") % {"n": MAX_FILENAME_CHARS}
    if "/" in name or "\\" in name or name in {".", ".."}:
        return _("Give a plain file name, without folders.")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") for ch in name):
        return _("A file name cannot hold control or invisible characters.")
    return None


def _refuse_bad_names(files: list[UploadFile], expected: Expected) -> None:
    names = [f.name for f in files]
    for name in names:
        problem = filename_problem(name)
        if problem:
            raise SubmissionRefused("bad_filename", problem)
    if len(set(names)) != len(names):
        raise SubmissionRefused("bad_filename", _("Two files have the same name; send each file once."))
    if len(files) == 1:
        return
    unknown = [n for n in names if n not in expected.extra_files and not n.endswith(CODE_SUFFIXES)]
    if unknown:
        wanted = ", ".join((expected.file,) + expected.extra_files)
        raise SubmissionRefused("file_type", _("This assignment takes %(wanted)s, not %(names)s.")
                                % {"wanted": wanted, "names": ", ".join(unknown)})
    if sum(1 for n in names if n.endswith(CODE_SUFFIXES)) != 1:
        raise SubmissionRefused("file_type", _("Send exactly one code file (%(file)s or a notebook).")
                                % {"file": expected.file})


def _zip(files: list[UploadFile]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for f in sorted(files, key=lambda f: (not f.name.endswith(CODE_SUFFIXES), f.name)):
            info = zipfile.ZipInfo(f.name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, f.content)
    return buffer.getvalue()


def bundle(files: list[UploadFile], *, expected: Expected) -> UploadFile:
    """One file as it came; several as one zip named after the code file, which the engine unpacks."""
    if not files:
        raise SubmissionRefused("no_file", _("Choose a file first."))
    if len(files) > min(MAX_ZIP_MEMBERS, settings.DATA_UPLOAD_MAX_NUMBER_FILES):
        raise SubmissionRefused("too_many_files", _("Send at most %(n)d files.")
                                % {"n": min(MAX_ZIP_MEMBERS, settings.DATA_UPLOAD_MAX_NUMBER_FILES)})
    _refuse_too_large(sum(len(f.content) for f in files))
    _refuse_bad_names(files, expected)
    if len(files) == 1:
        return files[0]
    stem = expected.file.rsplit(".", 1)[0]
    return UploadFile(f"{stem}.zip", _zip(files))


def _refuse_too_large(size: int) -> None:
    limit = settings.SEQLAB_MAX_UPLOAD_BYTES
    if size > limit:
        raise SubmissionRefused("too_large", _("The upload is %(got)d KiB; the limit is %(kib)d KiB.")
                                % {"got": size // 1024, "kib": limit // 1024})


def _zip_member_problem(info: zipfile.ZipInfo) -> str | None:
    parts = info.filename.replace("\\", "/").split("/")
    if info.filename.startswith(("/", "\\")) or ".." in parts or (parts[0][1:2] == ":"):
        return _("The zip holds %(name)s, a path outside the archive.") % {"name": info.filename[:100]}
    if stat.S_ISLNK(info.external_attr >> 16):
        return _("The zip holds %(name)s, a symbolic link; put the file itself in the zip.") % {"name": info.filename[:100]}
    return None


def zip_refusal(content: bytes) -> str | None:
    """Member names that leave the archive, and links: refused on top of the engine's zip rules
    (the engine reads members by base name and never writes them out, but no one should have to
    reason about that to trust an archive we keep)."""
    try:
        infos = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError, EOFError):
        return None                     # the engine's stage says what is wrong with it
    return next((p for p in map(_zip_member_problem, infos[:MAX_ZIP_MEMBERS + 1]) if p), None)


def engine_refusal(upload: UploadFile, *, assignment) -> str | None:
    """The message the engine's upload stage would reject these bytes with, or None.

    `assignment` is the engine's own (graders.assignment.Assignment); the stage needs no sandbox
    and no Django, so this runs in the web process exactly as it would on a worker.
    """
    ctx = Context(job=Job(assignment_dir=str(assignment.path), filename=upload.name, content=upload.content),
                  assignment=assignment, zygote=None)
    stage_upload(ctx)
    return None if ctx.gradable else "\n".join(ctx.format_errors)


def upload_check(upload: UploadFile, *, assignment) -> None:
    """Refuse, before anything is stored, an upload the engine would refuse (it would cost nothing later)."""
    problem = filename_problem(upload.name)
    if problem:
        raise SubmissionRefused("bad_filename", problem)
    _refuse_too_large(len(upload.content))
    message = (zip_refusal(upload.content) if upload.name.endswith(".zip") else None) or \
        engine_refusal(upload, assignment=assignment)
    if message:
        raise SubmissionRefused("bad_upload", message)

"""Hostile toy.py: modify anything outside the private scratch directory.

Creates, overwrites, appends, truncates, renames, deletes, chmods and touches files in /usr,
the Python prefix (site-packages, the torch package), /etc, /, /dev, /proc and the
repository (if it could see it), through plain paths, symlinks, hard links and `..`.
Any success makes double return the right answer.
Expected: every attempt fails (read-only or missing); double fails with
"SEQLAB_READ_ONLY ..."; softmax_rows, double_sum and Scale are correct and pass.
"""
import glob
import os
import sys

import torch

TORCH_DIR = os.path.dirname(torch.__file__)
SITE = os.path.dirname(TORCH_DIR)
VICTIMS = [
    "/usr/seqlab_pwned", "/usr/bin/seqlab_pwned", "/usr/lib/seqlab_pwned", sys.prefix + "/seqlab_pwned",
    SITE + "/seqlab_pwned.pth", TORCH_DIR + "/seqlab_pwned.py", "/etc/seqlab_pwned", "/seqlab_pwned",
    "/dev/seqlab_pwned", "/proc/seqlab_pwned", "/work/main/seqlab_pwned", "/root/seqlab_pwned",
    "/tmp/../seqlab_pwned",
]
EXISTING = [TORCH_DIR + "/__init__.py", SITE + "/numpy/__init__.py", "/etc/passwd", "/etc/hosts",
            "/usr/bin/env", os.path.realpath(sys.executable), "/etc/ld.so.cache",
            "/work/main/graders/checks.py"] + glob.glob("/work/main/tests/graders/.seqlab_hostile_sentinel*") + [
            "/work/main/tests/graders/.seqlab_hostile_sentinel"]


def _attempts():
    wins, tries = [], 0

    def attempt(label, fn):
        nonlocal tries
        tries += 1
        try:
            fn()
            wins.append(label)
        except (OSError, ValueError):
            pass

    for path in VICTIMS:
        attempt(f"create {path}", lambda p=path: open(p, "x").close())
        attempt(f"mkdir {path}", lambda p=path: os.mkdir(p + ".d"))
    for path in EXISTING:
        attempt(f"append {path}", lambda p=path: open(p, "a").close())
        attempt(f"write {path}", lambda p=path: os.close(os.open(p, os.O_WRONLY)))
        attempt(f"chmod {path}", lambda p=path: os.chmod(p, 0o777))
        attempt(f"utime {path}", lambda p=path: os.utime(p, None))
        attempt(f"rename {path}", lambda p=path: os.rename(p, p + ".bak"))
        attempt(f"unlink {path}", lambda p=path: os.unlink(p))
        attempt(f"truncate {path}", lambda p=path: os.truncate(p, 0))
        attempt(f"chown {path}", lambda p=path: os.chown(p, 65534, 65534))
        attempt(f"link {path}", lambda p=path: os.link(p, "/tmp/hardlink"))
    # Through a symlink planted in the scratch, and by bind-mount shadowing.
    try:
        os.symlink("/usr/lib", "/tmp/lnk")
    except OSError:
        pass
    attempt("write via symlink", lambda: open("/tmp/lnk/seqlab_pwned", "w").close())
    attempt("rmdir /tmp", lambda: os.rmdir("/tmp"))
    attempt("rename /tmp", lambda: os.rename("/tmp", "/tmp2"))
    attempt("remount /", lambda: _mount_rw())
    return wins, tries


def _mount_rw():
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    for target in (b"/", b"/usr", sys.prefix.encode()):
        if libc.mount(None, target, None, 32 | 4096, None) == 0:   # MS_REMOUNT | MS_BIND, rw
            return
        if libc.mount(b"tmpfs", target, b"tmpfs", 0, None) == 0:
            return
    raise OSError(ctypes.get_errno(), "mount refused")


def double(x):
    wins, tries = _attempts()
    if wins:
        return x * 2
    raise PermissionError(f"SEQLAB_READ_ONLY all {tries} writes outside the scratch failed")


def softmax_rows(x):                                # correct
    e = torch.exp(x - x.max(dim=-1, keepdim=True).values)
    return e / e.sum(dim=-1, keepdim=True)


def double_sum(x):                                  # correct
    return torch.full_like(x, 2.0)


class Scale(torch.nn.Module):                        # correct
    def __init__(self, d):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(d))

    def forward(self, x):
        with open("/tmp/scratch_is_writable", "w") as fh:   # the scratch itself works
            fh.write("ok")
        return x * self.weight

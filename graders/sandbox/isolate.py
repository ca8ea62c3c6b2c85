"""Kernel mechanisms that contain a forked child: namespaces, a bind-mounted file view, rlimits.

This is what bubblewrap does, applied in-process to a child forked from the warm zygote:
  * new mount, network, PID, IPC and UTS namespaces (plus a user namespace when the
    worker is not root), so the child has no network and its whole process tree dies
    with its PID 1;
  * a fresh tmpfs root holding read-only bind mounts of the interpreter, its
    site-packages and the system libraries, a private writable scratch at /tmp, a
    minimal /dev and a /proc of its own: no repository, no assignments, no secrets;
  * rlimits, then an unprivileged uid of the sandbox's own (so per-uid kernel accounts
    such as RLIMIT_NPROC are per sandbox) with no capabilities and no_new_privs;
  * a seccomp filter for the few kernel interfaces no namespace above separates (the
    keyrings of the sandbox uid) and for foreign syscall ABIs.
Every function here runs in a child between fork and the student's code; a failure
raises SandboxSetupError, which the child reports instead of running anything.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import resource
import signal
import site
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38
PR_CAPBSET_DROP = 24
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2

SANDBOX_UID = 65534       # the sandbox's uid/gid inside its own user namespace (a worker that is not root)
SANDBOX_GID = 65534
# A root worker has no user namespace to separate sandboxes, and the kernel keeps per-uid
# accounts (RLIMIT_NPROC counts every process of the uid, machine-wide; keyrings; pipe
# buffers): with one shared uid, one submission's fork bomb left concurrent sandboxes
# unable to start a thread. So each sandbox gets a uid and gid of its own, like IOI's
# `isolate` (uid 60000 + box id): SANDBOX_ID_BASE + the pid of its middle process, which
# is unique while the sandbox lives (the middle outlives every process of the sandbox).
# The range sits above systemd's container uids and below 2**31.
SANDBOX_ID_BASE = 2_000_000_000
SANDBOX_ID_SPAN = 1 << 22          # pid_max is at most 2**22
NEW_ROOT = "/tmp"          # inside the private mount namespace only; invisible outside
SCRATCH = "/tmp"           # the student's writable directory, seen from inside
DEVICES = ("null", "zero", "full", "random", "urandom")
# A GPU worker's sandbox sees the NVIDIA device nodes (the driver picks the GPU named by
# CUDA_VISIBLE_DEVICES); on a machine without them nothing changes.
GPU_DEVICE_PREFIX = "nvidia"
GPU_ENV = ("CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES")
# Where the driver's libcuda lives on a GPU host (e.g. /usr/local/nvidia/lib64): the warm
# process needs it when it starts, since the loader reads it only then.
LIBRARY_ENV = ("LD_LIBRARY_PATH",)

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
_libc.mount.argtypes = (ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p)
_libc.unshare.argtypes = (ctypes.c_int,)
_libc.prctl.argtypes = (ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong)


class SandboxSetupError(Exception):
    """The kernel refused a step of the sandbox set-up."""


@dataclass(frozen=True)
class Plan:
    """What the child needs to build its sandbox, fixed before fork."""

    isolate: bool                    # False: development mode, rlimits only
    use_userns: bool                 # True when the worker is not root
    outer_uid: int
    outer_gid: int
    ro_paths: tuple[str, ...]        # bind-mounted read-only at the same path
    symlinks: tuple[tuple[str, str], ...]   # (path, target) recreated inside
    scratch_mib: int
    sandbox_id: int = SANDBOX_UID    # uid and gid the student's code runs as (see for_sandbox)
    devices: tuple[str, ...] = DEVICES   # names under /dev bound into the sandbox


def for_sandbox(plan: Plan, middle_pid: int) -> Plan:
    """The plan of one sandbox: a root worker's sandboxes each get their own uid/gid."""
    if plan.isolate and not plan.use_userns:
        return replace(plan, sandbox_id=SANDBOX_ID_BASE + middle_pid % SANDBOX_ID_SPAN)
    return plan


def is_sandbox_uid(uid: int) -> bool:
    return uid == SANDBOX_UID or SANDBOX_ID_BASE <= uid < SANDBOX_ID_BASE + SANDBOX_ID_SPAN


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise SandboxSetupError(f"{what}: {os.strerror(err)} (errno {err})")


def _mount(src: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    enc = lambda s: s.encode() if s is not None else None  # noqa: E731
    _check(_libc.mount(enc(src), enc(target), enc(fstype), flags, enc(data)), f"mount {target}")


def _existing_real(path: str) -> str | None:
    try:
        real = os.path.realpath(path)
    except OSError:
        return None
    return real if os.path.exists(real) else None


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def plan_for(*, isolate: bool, scratch_mib: int, hide: tuple[str, ...]) -> Plan:
    """Compute the file view: system libraries plus the interpreter and its packages.

    `hide` lists folders (the repository) that must not become visible even if a
    site-packages entry points inside them.
    """
    ro: list[str] = []
    links: list[tuple[str, str]] = []
    for top in ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32"):
        if os.path.islink(top):
            links.append((top, os.readlink(top)))
        elif os.path.isdir(top):
            ro.append(top)
    for f in ("/etc/ld.so.cache", "/etc/localtime", "/etc/ssl/certs/ca-certificates.crt"):
        if os.path.isfile(f):
            ro.append(f)
    py_paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable))}
    py_paths.update(site.getsitepackages())
    if site.ENABLE_USER_SITE and site.getusersitepackages():
        py_paths.add(site.getusersitepackages())
    for entry in sys.path:
        if entry and ("site-packages" in entry or "dist-packages" in entry):
            py_paths.add(entry)
    hidden = [os.path.realpath(h) for h in hide]
    # A virtualenv inside the repository may be shown; nothing else of the repository may.
    venv = os.path.realpath(sys.prefix) if sys.prefix != sys.base_prefix else None
    for p in sorted(py_paths):
        real = _existing_real(p)
        if real is None or real.startswith("/usr/"):
            continue
        if any(_within(real, h) for h in hidden) and not (venv and _within(real, venv)):
            continue
        if not any(_within(real, q) for q in ro):
            ro = [q for q in ro if not _within(q, real)] + [real]
    uid = os.getuid()
    return Plan(isolate=isolate, use_userns=uid != 0, outer_uid=uid, outer_gid=os.getgid(),
                ro_paths=tuple(ro), symlinks=tuple(links), scratch_mib=scratch_mib,
                devices=DEVICES + gpu_devices())


# ------------------------------------------------------------------- step 1: in the middle process

def enter_namespaces(plan: Plan) -> None:
    """Unshare namespaces; the next fork()ed child becomes PID 1 of a new PID namespace."""
    if not plan.isolate:
        return
    flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS
    if plan.use_userns:
        flags |= CLONE_NEWUSER
    _check(_libc.unshare(flags), "unshare namespaces")
    if plan.use_userns:
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{SANDBOX_UID} {plan.outer_uid} 1")
        _write("/proc/self/gid_map", f"{SANDBOX_GID} {plan.outer_gid} 1")


def _write(path: str, text: str) -> None:
    try:
        with open(path, "w") as fh:
            fh.write(text)
    except OSError as exc:
        raise SandboxSetupError(f"write {path}: {exc.strerror}") from None


# ------------------------------------------------------------------- step 2: in the sandbox's PID 1

def build_root(plan: Plan) -> None:
    """Mount the sandbox's file view and chroot into it."""
    if not plan.isolate:
        return
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    # Hold the sources open: the new root's tmpfs may cover where they live (e.g. /tmp).
    sources = {p: os.open(p, os.O_PATH | os.O_CLOEXEC)
               for p in plan.ro_paths + tuple("/dev/" + d for d in plan.devices)}
    root = NEW_ROOT
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=4m")
    # An interpreter that lives under the scratch's path (a checkout and its .venv under /tmp) is
    # bound after the scratch is mounted, on top of it: mounted first, the scratch would hide it.
    under_scratch = tuple(p for p in plan.ro_paths if p == SCRATCH or p.startswith(SCRATCH + "/"))
    for path in plan.ro_paths:
        if path not in under_scratch:
            _bind_ro(path, root + path, sources[path])
    for path, target in plan.symlinks:
        os.symlink(target, root + path)
    os.makedirs(root + "/etc", exist_ok=True)
    ident = plan.sandbox_id
    _text(root + "/etc/passwd", f"nobody:x:{ident}:{ident}:sandbox:{SCRATCH}:/usr/sbin/nologin\n")
    _text(root + "/etc/group", f"nogroup:x:{ident}:\n")
    _text(root + "/etc/hosts", "127.0.0.1 localhost\n")
    os.makedirs(root + "/dev", exist_ok=True)
    for dev in plan.devices:
        _text(root + "/dev/" + dev, "")
        _mount(f"/proc/self/fd/{sources['/dev/' + dev]}", root + "/dev/" + dev, None, MS_BIND)
    os.symlink("/proc/self/fd", root + "/dev/fd")
    os.makedirs(root + "/proc", exist_ok=True)
    _mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    os.makedirs(root + SCRATCH, exist_ok=True)
    owner = f"uid={ident},gid={ident}"
    _mount("tmpfs", root + SCRATCH, "tmpfs", MS_NOSUID | MS_NODEV,
           f"mode=0700,{owner},size={plan.scratch_mib}m,nr_inodes=4096")
    for path in under_scratch:
        _bind_ro(path, root + path, sources[path])
    _mount(None, root, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    for fd in sources.values():
        os.close(fd)
    os.chroot(root)
    os.chdir(SCRATCH)


def _text(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        fh.write(text)


def _bind_ro(src: str, target: str, fd: int) -> None:
    if os.path.isdir(f"/proc/self/fd/{fd}"):
        os.makedirs(target, exist_ok=True)
    else:
        _text(target, "")
    _mount(f"/proc/self/fd/{fd}", target, None, MS_BIND | MS_REC)
    locked = 0
    st = os.statvfs(target)
    for flag, ms in ((os.ST_NOSUID, MS_NOSUID), (os.ST_NODEV, MS_NODEV), (os.ST_NOEXEC, MS_NOEXEC)):
        if st.f_flag & flag:
            locked |= ms
    _mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | locked)


def apply_rlimits(*, memory_mib: int, cpu_seconds: int, processes: int, open_files: int,
                  file_size_mib: int, address_space: bool = True) -> None:
    """Cap what the child may consume; address space is counted above the warm image."""
    limits = {
        resource.RLIMIT_AS: _vm_size() + (memory_mib << 20) if address_space else resource.RLIM_INFINITY,
        resource.RLIMIT_CPU: cpu_seconds,
        resource.RLIMIT_NPROC: processes,
        resource.RLIMIT_NOFILE: open_files,
        resource.RLIMIT_FSIZE: file_size_mib << 20,
        resource.RLIMIT_CORE: 0,
    }
    for which, value in limits.items():
        hard = value + 1 if which == resource.RLIMIT_CPU else value
        try:
            resource.setrlimit(which, (value, hard))
        except (ValueError, OSError) as exc:
            raise SandboxSetupError(f"setrlimit {which}: {exc}") from None


def _vm_size() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def drop_privileges(plan: Plan) -> None:
    """Become the unprivileged sandbox user with no capabilities; die with our parent."""
    if plan.isolate and not plan.use_userns:
        os.setgroups([])
        os.setgid(plan.sandbox_id)
        os.setuid(plan.sandbox_id)
    elif plan.isolate:
        for cap in range(64):
            if _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 and ctypes.get_errno() == errno.EINVAL:
                break
        _drop_capabilities()
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    if plan.isolate:
        install_seccomp()
    # Credentials changed above, which clears the parent-death signal: set it afterwards.
    _check(_libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "pdeathsig")


# ------------------------------------------------------------------- seccomp

# Kernel keyrings belong to a uid within a user namespace, not to a mount, PID or network
# namespace: when the worker is root the sandboxes run as uids of the host's user namespace,
# and pids (so sandbox uids) get reused, so `add_key(..., KEY_SPEC_USER_KEYRING)` would
# leave a store that outlives its sandbox and greets a later one. Docker's
# default profile refuses these calls for the same reason; so do we. Calls through another
# ABI (i386 `int 0x80`, x32) would dodge a filter keyed on native syscall numbers, and
# nothing a submission needs uses them, so they are refused as a whole.
_AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
_KEYRING_SYSCALLS = {"x86_64": (248, 249, 250), "aarch64": (217, 218, 219)}   # add_key, request_key, keyctl
_X32_SYSCALL_BIT = 0x40000000
_SECCOMP_RET_ALLOW = 0x7FFF0000
_SECCOMP_RET_ERRNO = 0x00050000


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def seccomp_program(machine: str) -> list[tuple[int, int, int, int]]:
    """The classic-BPF filter: (code, jt, jf, k) rows; refuse with EPERM, allow the rest."""
    ld_w_abs, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06
    deny = _SECCOMP_RET_ERRNO | errno.EPERM
    if machine not in _AUDIT_ARCH:
        raise SandboxSetupError(f"no seccomp filter for machine {machine!r}")
    nrs = _KEYRING_SYSCALLS[machine]
    prog = [(ld_w_abs, 0, 0, 4),                                  # A = seccomp_data.arch
            (jeq, 1, 0, _AUDIT_ARCH[machine]),                    # native ABI: skip the deny
            (ret, 0, 0, deny),
            (ld_w_abs, 0, 0, 0)]                                  # A = seccomp_data.nr
    if machine == "x86_64":
        prog.append((jge, len(nrs) + 1, 0, _X32_SYSCALL_BIT))     # x32 ABI: jump to deny
    for i, nr in enumerate(nrs):
        prog.append((jeq, len(nrs) - i, 0, nr))                  # jump to deny
    prog += [(ret, 0, 0, _SECCOMP_RET_ALLOW), (ret, 0, 0, deny)]
    return prog


def _build_fprog(machine: str) -> tuple[_SockFprog, Any] | str:
    try:
        rows = seccomp_program(machine)
    except SandboxSetupError as exc:
        return str(exc)
    table = (_SockFilter * len(rows))(*(_SockFilter(*r) for r in rows))
    return _SockFprog(len(rows), table), table


# Built once at import, i.e. in the warm zygote: building it costs a child ~10 ms the first time.
_FPROG = _build_fprog(os.uname().machine)


def install_seccomp() -> None:
    """Load the filter into this (single-threaded) process; every later thread and child inherits it."""
    if isinstance(_FPROG, str):
        raise SandboxSetupError(_FPROG)
    _check(_libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(_FPROG[0]), 0, 0), "seccomp filter")


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def _drop_capabilities() -> None:
    header = _CapHeader(0x20080522, 0)
    data = (_CapData * 2)()
    _check(_libc.capset(ctypes.byref(header), data), "capset")


def gpu_devices() -> tuple[str, ...]:
    try:
        return tuple(sorted(n for n in os.listdir("/dev") if n.startswith(GPU_DEVICE_PREFIX)
                            and not os.path.isdir("/dev/" + n)))
    except OSError:
        return ()


def clean_environment() -> None:
    keep = {k: os.environ[k] for k in GPU_ENV if k in os.environ}
    os.environ.clear()
    os.environ.update(keep)
    os.environ.update({"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": SCRATCH, "TMPDIR": SCRATCH,
                       "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1", "OMP_NUM_THREADS": "1",
                       "MPLCONFIGDIR": SCRATCH, "USER": "nobody"})


def close_other_fds(keep: tuple[int, ...]) -> None:
    for fd in sorted(int(n) for n in os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else ():
        if fd > 2 and fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass


def repo_paths() -> tuple[str, ...]:
    return (str(Path(__file__).resolve().parents[2]),)

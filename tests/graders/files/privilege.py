"""Hostile toy.py: gain privileges or reach processes outside the sandbox.

Tries setuid/setgid to root, setuid binaries (su, sudo, mount, passwd), new user and mount
namespaces, mount/umount/chroot escapes, mknod, raw devices, sysctl and sysrq writes,
sethostname, reboot, the kernel keyring (shared by every process of the same uid outside a
user namespace), signals and ptrace to every pid, and /proc/<pid>/mem of every process it
can see. Any success is named in double's error (SEQLAB_ESCALATED ...).
Expected: all refused; only the sandbox's own PID 1 is visible; double fails with
"SEQLAB_UNPRIVILEGED ..."; softmax_rows, double_sum and Scale are correct and pass.
"""
import ctypes
import os
import signal
import subprocess

import torch

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
SYS = {"add_key": 248, "keyctl": 250, "ptrace": 101, "reboot": 169, "init_module": 175, "bpf": 321,
       "setns": 308, "pivot_root": 155, "iopl": 172}
CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x20000, 0x10000000, 0x20000000, 0x40000000


def _attempts():
    wins, tries = [], 0

    def ok(label, cond):
        nonlocal tries
        tries += 1
        if cond:
            wins.append(label)

    def raises(label, fn):
        try:
            fn()
        except (OSError, subprocess.SubprocessError):
            ok(label, False)
            return
        ok(label, True)

    raises("setuid 0", lambda: os.setuid(0))
    raises("setgid 0", lambda: os.setgid(0))
    raises("setresuid 0", lambda: os.setresuid(0, 0, 0))
    raises("setgroups", lambda: os.setgroups([0]))
    raises("chroot", lambda: os.chroot("/"))
    raises("mknod", lambda: os.mknod("/tmp/sda", 0o600 | 0o060000, os.makedev(8, 0)))
    raises("sethostname", lambda: __import__("socket").sethostname("pwned"))
    for dev in ("/dev/mem", "/dev/kmem", "/dev/port", "/dev/kmsg", "/dev/sda", "/dev/vda", "/proc/kcore",
                "/proc/sysrq-trigger", "/proc/sys/kernel/hostname", "/proc/sys/vm/drop_caches"):
        raises(f"open {dev}", lambda d=dev: os.close(os.open(d, os.O_WRONLY)))
    for flags, name in ((CLONE_NEWUSER, "user"), (CLONE_NEWNS, "mount"), (CLONE_NEWNET, "net"),
                        (CLONE_NEWPID, "pid")):
        ok(f"unshare {name}", libc.unshare(flags) == 0)
    ok("mount tmpfs", libc.mount(b"tmpfs", b"/tmp", b"tmpfs", 0, None) == 0)
    ok("umount /usr", libc.umount2(b"/usr", 2) == 0)
    ok("umount /proc", libc.umount2(b"/proc", 2) == 0)
    ok("pivot_root", libc.syscall(SYS["pivot_root"], b"/tmp", b"/tmp") == 0)
    ok("reboot", libc.syscall(SYS["reboot"], 0xfee1dead, 672274793, 0x4321fedc, None) == 0)
    ok("iopl", libc.syscall(SYS["iopl"], 3) == 0)
    ok("init_module", libc.syscall(SYS["init_module"], None, 0, b"") == 0)
    key = libc.syscall(SYS["add_key"], b"user", b"seqlab_hostile", b"persist", 7, ctypes.c_int(-4))
    ok("add_key to the uid keyring", key > 0)
    ok("keyctl read", libc.syscall(SYS["keyctl"], 11, ctypes.c_int(-4), None, 0) > 0)   # KEYCTL_READ
    for cmd in (["su", "-c", "id -u"], ["sudo", "-n", "id", "-u"], ["mount", "-t", "tmpfs", "x", "/usr"],
                ["newuidmap"], ["ping", "-c1", "127.0.0.1"], ["unshare", "-r", "id", "-u"]):
        try:
            out = subprocess.run(cmd, capture_output=True, timeout=1, stdin=subprocess.DEVNULL)
            ok(f"run {cmd[0]}", out.returncode == 0 and out.stdout.strip() in (b"0", b""))
        except (OSError, subprocess.SubprocessError):
            ok(f"run {cmd[0]}", False)
    # Every pid: is anything outside the sandbox visible, signalable, traceable or readable?
    mine = os.getpid()
    for pid in range(0, 4200):
        if pid == mine:
            continue
        try:
            os.kill(pid, 0)
            ok(f"signal pid {pid}", pid not in (0,))
        except OSError:
            ok("signal", False)
    ok("other pids in /proc", any(p.isdigit() and int(p) != mine for p in os.listdir("/proc")))
    for pid in (0, 2, 3, os.getppid()):
        ok(f"ptrace {pid}", libc.syscall(SYS["ptrace"], 16, pid, None, None) == 0)   # PTRACE_ATTACH
    try:
        os.kill(-1, signal.SIGKILL)                  # only ever reaches the sandbox's own children
    except OSError:
        pass
    return wins, tries


def double(x):
    wins, tries = _attempts()
    if wins:
        raise RuntimeError(f"SEQLAB_ESCALATED {wins}")
    raise PermissionError(f"SEQLAB_UNPRIVILEGED all {tries} attempts were refused")


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
        return x * self.weight

"""Hostile toy.py: reach the network (Redis, PostgreSQL, DNS, HTTP) to exfiltrate or fetch answers.

If any connection works, double returns the right answer (so an escape shows up as a pass).
Expected: the sandbox has only a loopback interface that is down; every attempt fails; double
fails with "SEQLAB_NO_NETWORK ..."; softmax_rows and Scale are correct and pass; double_sum
is wrong.
"""
import socket
import urllib.request

import torch

TARGETS = [("127.0.0.1", 6379), ("127.0.0.1", 5432), ("127.0.0.1", 8000), ("127.0.0.1", 80), ("::1", 6379),
           ("10.0.0.1", 80), ("1.1.1.1", 53), ("169.254.169.254", 80)]


def _attempts():
    ok, tried = [], []
    for host, port in TARGETS:
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.settimeout(0.5)
        try:
            s.connect((host, port))
            ok.append(f"tcp {host}:{port}")
        except OSError as exc:
            tried.append(f"tcp {host}:{port} {exc.__class__.__name__}")
        finally:
            s.close()
    try:
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.sendto(b"seqlab", ("8.8.8.8", 53))
        ok.append("udp 8.8.8.8:53")
    except OSError:
        tried.append("udp")
    for name in ("example.com", "localhost", "redis", "db"):
        try:
            addrs = socket.getaddrinfo(name, 80)
            if name != "localhost":
                ok.append(f"dns {name} -> {addrs[0][4]}")
        except OSError:
            tried.append(f"dns {name}")
    try:
        urllib.request.urlopen("http://example.com/", timeout=0.5)
        ok.append("http example.com")
    except Exception:
        tried.append("http")
    for path in ("\0/tmp/.X11-unix/X0", "/var/run/docker.sock", "/run/postgresql/.s.PGSQL.5432",
                 "/var/run/redis/redis.sock", "\0seqlab"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            ok.append(f"unix {path!r}")
        except OSError:
            tried.append("unix")
        finally:
            s.close()
    up = [name for _i, name in socket.if_nameindex() if name != "lo"]
    if up:
        ok.append(f"interfaces {up}")
    return ok, tried


def double(x):
    ok, tried = _attempts()
    if ok:
        return x * 2
    raise ConnectionError(f"SEQLAB_NO_NETWORK {len(tried)} attempts failed")


def softmax_rows(x):                                # correct
    e = torch.exp(x - x.max(dim=-1, keepdim=True).values)
    return e / e.sum(dim=-1, keepdim=True)


def double_sum(x):
    return -x                                       # wrong


class Scale(torch.nn.Module):                        # correct
    def __init__(self, d):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x * self.weight

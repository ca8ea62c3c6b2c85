"""The worst reply a sandbox can send, under graders/limits.py, against the grader's decoder.

Each case builds one frame at the bounds (header of REPLY_MAX_HEADER_BYTES, buffers of
REPLY_MAX_BUFFER_BYTES, ...), writes it on a socket pair, and a forked decoder process reads
and decodes it the way graders/sandbox/host.py does (recv_frame, then decode of the value with
a Budget). Per case: wall time of receive + decode, and the decoder's memory growth (VmHWM
after resetting it through /proc/self/clear_refs, so pages shared with this process do not
count). Targets: every case under 1 s and 256 MiB.

    python bench/decode_bound.py
"""
from __future__ import annotations

import json
import os
import socket
import struct
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graders import limits  # noqa: E402
from graders.sandbox import protocol  # noqa: E402

HEADER = limits.REPLY_MAX_HEADER_BYTES
MERSENNE = (1 << 61) - 1


def frame(value_json: str, buffers: list[bytes] = ()) -> bytes:
    header = ('{"ok":true,"value":' + value_json + "}").encode()
    assert len(header) <= HEADER, len(header)
    parts = [struct.pack("<I", len(header)), header, struct.pack("<I", len(buffers))]
    for b in buffers:
        parts += [struct.pack("<Q", len(b)), b]
    return b"".join(parts)


def filled(item: str, room: int = HEADER - 40) -> str:
    """A JSON list of `item` repeated to fill the header."""
    return "[" + ",".join([item] * (room // (len(item) + 1))) + "]"


def nested(open_: str, leaf: str, close: str, depth: int) -> str:
    return open_ * depth + leaf + close * depth


def cases() -> dict[str, bytes]:
    n_buf = limits.REPLY_MAX_BUFFERS
    each = limits.REPLY_MAX_BUFFER_BYTES // n_buf
    arrays = ",".join(f'{{"$array":{i},"dtype":"uint8","shape":[{each}],"kind":"tensor"}}' for i in range(n_buf))
    keys = ",".join(f'[{{"$bigint":"{k * MERSENNE}"}},0]' for k in range(limits.REPLY_MAX_MARKERS - 8))
    shared = ",".join(['{"$array":0,"dtype":"uint8","shape":[%d],"kind":"tensor"}' % (32 << 20)] * 2000)
    return {
        "4096 tensors, 64 MiB (accepted)": frame("[" + arrays + "]", [bytes(each)] * n_buf),
        "one 64 MiB tensor (accepted)": frame('{"$array":0,"dtype":"float32","shape":[%d],"kind":"tensor"}'
                                               % (limits.REPLY_MAX_BUFFER_BYTES // 4),
                                               [bytes(limits.REPLY_MAX_BUFFER_BYTES)]),
        "1 MiB of small ints": frame(filled("7")),
        "1 MiB of empty lists": frame(filled("[]")),
        "1 MiB of empty tuples": frame(filled('{"$tuple":[]}')),
        "1 MiB of one-entry dicts": frame(filled('{"$dict":[[1,2]],"kind":"dict"}')),
        "1 MiB of 2-char strings": frame(filled('"ab"')),
        "1 MiB of NaN markers": frame(filled('{"$float":"nan"}')),
        "1 MiB of big-int markers": frame(filled('{"$bigint":"18446744073709551616"}')),
        "1 MiB string (accepted)": frame('"' + "x" * (HEADER - 40) + '"'),
        "16k colliding dict keys": frame('{"$dict":[' + keys + '],"kind":"dict"}'),
        "32 MiB buffer x 2000 refs": frame("[" + shared + "]", [bytes(32 << 20)]),
        "JSON nested 100k deep": frame(nested("[", "1", "]", 100_000)[:HEADER - 40]),
        "tuples nested 400 deep": frame(nested('{"$tuple":[', "1", "]}", 400)),
        "1 MiB ints + 64 MiB buffers": frame(filled("7", HEADER - 200), [bytes(limits.REPLY_MAX_BUFFER_BYTES)]),
    }


def _hwm_kib() -> int:
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))


def _rss_kib() -> int:
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))


def decode_in_child(sock: socket.socket, report: int) -> None:
    """Runs in the forked decoder: reset the high-water mark, receive, decode, report."""
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")
    base = _rss_kib()
    t0 = time.perf_counter()
    outcome = "decoded"
    try:
        header, buffers = protocol.recv_frame(sock)
        value = protocol.decode(header.get("value"), buffers, budget=protocol.Budget(deadline=None))
        del value
    except protocol.ProtocolError as exc:
        outcome = f"refused: {str(exc)[:60]}"
    took = time.perf_counter() - t0
    os.write(report, json.dumps({"s": took, "mib": (_hwm_kib() - base) / 1024, "outcome": outcome}).encode())
    os._exit(0)


def measure(raw: bytes) -> dict:
    a, b = socket.socketpair()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        a.close()
        os.close(r)
        decode_in_child(b, w)
    b.close()
    os.close(w)
    try:
        a.sendall(raw)
    except OSError:
        pass                                 # the decoder refused early and closed its end
    a.close()
    data = os.read(r, 4096)
    os.waitpid(pid, 0)
    os.close(r)
    return json.loads(data)


def main() -> None:
    load = os.getloadavg()
    print(f"decode bound: header <= {HEADER >> 20} MiB, buffers <= {limits.REPLY_MAX_BUFFER_BYTES >> 20} MiB, "
          f"items <= {limits.REPLY_MAX_ITEMS}, markers <= {limits.REPLY_MAX_MARKERS}; "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    worst_s, worst_mib = 0.0, 0.0
    for name, raw in cases().items():
        got = measure(raw)
        worst_s, worst_mib = max(worst_s, got["s"]), max(worst_mib, got["mib"])
        print(f"  {name:34} {len(raw) / (1 << 20):7.1f} MiB sent  {got['s']:6.3f} s  "
              f"{got['mib']:7.1f} MiB  {got['outcome']}")
    end = os.getloadavg()
    ok = worst_s < 1.0 and worst_mib < 256
    print(f"decode bound: worst {worst_s:.3f} s, {worst_mib:.1f} MiB of grader memory "
          f"(targets < 1 s, < 256 MiB: {'met' if ok else 'NOT met'}); load average at end {end[0]:.2f}")


if __name__ == "__main__":
    main()

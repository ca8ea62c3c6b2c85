"""The data channel: values round-trip as data; nothing executable or malformed gets through."""
import collections
import json
import socket
import struct

import numpy as np
import pytest
import torch

from graders.sandbox import protocol


def roundtrip(value):
    buffers = []
    data = protocol.encode(value, buffers)
    data = json.loads(json.dumps(data))          # what really crosses: JSON text
    return protocol.decode(data, buffers)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16, torch.bfloat16,
                                   torch.int64, torch.int32, torch.int8, torch.uint8, torch.bool])
def test_tensors_keep_dtype_shape_and_values(dtype):
    t = (torch.randn(2, 3, 4) * 10).to(dtype)
    back = roundtrip(t)
    assert type(back) is torch.Tensor and back.dtype == dtype and back.shape == t.shape
    assert torch.equal(back, t)


def test_non_contiguous_and_empty_tensors_roundtrip():
    t = torch.arange(12.0).reshape(3, 4).t()
    assert torch.equal(roundtrip(t), t)
    assert roundtrip(torch.zeros(0, 5)).shape == (0, 5)
    assert roundtrip(torch.tensor(3.5)).shape == ()


def test_containers_and_special_numbers_roundtrip():
    value = {"a": (1, 2.5, None, True), "b": [float("nan"), float("inf")], (1, "x"): "tuple key",
             "big": 1 << 80}
    back = roundtrip(value)
    assert back["a"] == (1, 2.5, None, True) and isinstance(back["a"], tuple)
    assert np.isnan(back["b"][0]) and back["b"][1] == float("inf")
    assert back[(1, "x")] == "tuple key" and back["big"] == 1 << 80


def test_counter_stays_a_counter():
    back = roundtrip(collections.Counter({("a", "b"): 2}))
    assert isinstance(back, collections.Counter) and back[("a", "b")] == 2


def test_tensor_subclass_is_reported_not_trusted():
    class Liar(torch.Tensor):
        def __eq__(self, other):
            return True
    back = roundtrip(torch.zeros(2).as_subclass(Liar))
    assert isinstance(back, protocol.Foreign) and "Liar" in back.type_name


def test_arbitrary_objects_become_foreign_markers():
    class Payload:
        def __reduce__(self):
            return (exec, ("raise SystemExit",))
    back = roundtrip(Payload())
    assert isinstance(back, protocol.Foreign) and "Payload" in back.type_name


@pytest.mark.parametrize("data, buffers", [
    ({"$array": 0, "dtype": "object", "shape": [1], "kind": "tensor"}, [b"x" * 8]),
    ({"$array": 0, "dtype": "float32", "shape": [4], "kind": "tensor"}, [b"x" * 8]),
    ({"$array": 3, "dtype": "float32", "shape": [1], "kind": "tensor"}, [b"x" * 4]),
    ({"$array": 0, "dtype": "float32", "shape": [-1], "kind": "tensor"}, [b"x" * 4]),
    ({"$pickle": "gASVAAAAAAAAAAB9lC4="}, []),
    ({"$float": "1e400"}, []),
    ({"$handle": 3}, []),
])
def test_malformed_values_are_rejected(data, buffers):
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(data, buffers)


def test_frames_roundtrip_and_oversized_headers_are_refused():
    a, b = socket.socketpair()
    protocol.send_frame(a, {"op": "x"}, [b"abc", b""])
    assert protocol.recv_frame(b) == ({"op": "x"}, [b"abc", b""])
    a.sendall(struct.pack("<I", protocol.MAX_HEADER + 1))
    with pytest.raises(protocol.ProtocolError):
        protocol.recv_frame(b)
    a.close()
    with pytest.raises(protocol.ChannelClosed):
        protocol.recv_frame(b)


# ------------------------------------------------------------------ the grader bounds its own decoding

import math  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from graders import limits  # noqa: E402

MERSENNE = (1 << 61) - 1          # hash(k * MERSENNE) == 0 for every int k: all keys collide


def decode_bounded(data, buffers, *, seconds=1.0, mib=256):
    """Decode; return (value or the ProtocolError, seconds, peak MiB of Python allocations)."""
    import copy
    fresh = copy.deepcopy(data)              # decode consumes its input
    t0 = time.perf_counter()
    try:
        out = protocol.decode(fresh, buffers)
    except protocol.ProtocolError as exc:
        out = exc
    took = time.perf_counter() - t0
    tracemalloc.start()                      # tracing slows Python down: time and memory apart
    try:
        protocol.decode(data, buffers)
    except protocol.ProtocolError:
        pass
    peak = tracemalloc.get_traced_memory()[1] / (1 << 20)
    tracemalloc.stop()
    assert took < seconds and peak < mib, (took, peak)
    return out


def test_colliding_integer_keys_are_refused_in_linear_time():
    n = limits.REPLY_MAX_MARKERS - 10            # each big integer is a marker
    data = {"$dict": [[{"$bigint": str(k * MERSENNE)}, 0] for k in range(n)], "kind": "dict"}
    assert len({hash(k * MERSENNE) for k in range(200)}) == 1
    out = decode_bounded(data, [])
    assert isinstance(out, protocol.ProtocolError) and "share one hash" in str(out)


def test_a_buffer_is_used_once_not_copied_per_reference():
    big = bytearray(8 << 20)
    refs = [{"$array": 0, "dtype": "uint8", "shape": [len(big)], "kind": "tensor"} for _ in range(1000)]
    out = decode_bounded(refs, [big], mib=32)
    assert isinstance(out, protocol.ProtocolError) and "referenced twice" in str(out)


def test_decoded_arrays_share_the_received_buffer():
    buf = bytearray(np.arange(6, dtype="<f4").tobytes())
    t = protocol.decode({"$array": 0, "dtype": "float32", "shape": [2, 3], "kind": "tensor"}, [buf])
    buf[0:4] = np.float32(9).tobytes()
    assert t[0, 0].item() == 9.0                       # no copy was made


@pytest.mark.parametrize("data", [
    json.loads("[" * 70 + "]" * 70),
    {"$bigint": "9" * 5000}, {"$bigint": "12x"}, {"$seed": "7"}, {"$seed": 1 << 70}, {"$handle": "3"},
    {"$float": ["nan"]}, {"$foreign": ["x"] * 10}, {"$dtype": {"a": 1}}, 1 << 70,
    {"$array": 0, "dtype": "float32", "shape": [1 << 41], "kind": "tensor"},
    {"$array": True, "dtype": "float32", "shape": [1], "kind": "tensor"},
    {"$dict": [[[1, 2], "list key"]], "kind": "dict"}, {"$dict": [[{"$foreign": "x"}, 1]], "kind": "dict"},
    {"$dict": [[1, 2, 3]], "kind": "dict"}, {"$tuple": {"a": 1}}, "x" * (limits.REPLY_MAX_STRING_CHARS + 1),
    {"$dict": [[k, 0] for k in range(limits.REPLY_MAX_DICT_ITEMS + 1)], "kind": "dict"},
    [0] * (limits.REPLY_MAX_ITEMS + 1),
])
def test_out_of_range_and_malformed_values_are_protocol_errors(data):
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(data, [bytearray(4)], resolve_handle=lambda d: d)


def test_decoding_stops_at_the_calls_deadline():
    data = [[1, 2, 3]] * 200_000
    budget = protocol.Budget(deadline=time.monotonic() - 1)
    with pytest.raises(protocol.DeadlinePassed):
        protocol.decode(json.loads(json.dumps(data)), [], budget=budget)


def test_big_integers_within_the_bound_roundtrip_and_larger_ones_are_markers():
    assert roundtrip(10 ** 3000) == 10 ** 3000
    assert isinstance(roundtrip(10 ** 5000), protocol.Foreign)


# Values shaped like encode's output, with every tag, plus junk anywhere.
_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20))
_tagged = st.one_of(
    st.fixed_dictionaries({"$array": st.integers(-2, 4), "dtype": st.sampled_from(list(protocol.DTYPES) + ["object", 3]),
                           "shape": st.lists(st.integers(-1, 5), max_size=4), "kind": st.sampled_from(["tensor", "ndarray"])}),
    st.fixed_dictionaries({"$float": st.one_of(st.text(max_size=5), st.sampled_from(["nan", "inf", "-inf"]), st.integers())}),
    st.fixed_dictionaries({"$bigint": st.one_of(st.text(max_size=8), st.integers().map(str), st.integers())}),
    st.fixed_dictionaries({"$dtype": st.one_of(st.text(max_size=8), st.sampled_from(list(protocol.DTYPES)))}),
    st.fixed_dictionaries({"$seed": st.one_of(st.integers(), st.text(max_size=4))}),
    st.fixed_dictionaries({"$handle": st.one_of(st.integers(), st.text(max_size=4)), "type": _scalars}),
    st.fixed_dictionaries({"$foreign": _scalars, "detail": _scalars}),
    st.dictionaries(st.text(max_size=6), _scalars, max_size=3),
)
_values = st.recursive(st.one_of(_scalars, _tagged), lambda inner: st.one_of(
    st.lists(inner, max_size=5),
    st.fixed_dictionaries({"$tuple": st.one_of(st.lists(inner, max_size=4), inner)}),
    st.fixed_dictionaries({"$dict": st.one_of(st.lists(st.lists(inner, min_size=0, max_size=3), max_size=4), inner),
                           "kind": st.sampled_from(["dict", "Counter", 7])})), max_leaves=30)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_values, buffers=st.lists(st.binary(max_size=64).map(bytearray), max_size=4))
def test_fuzzed_values_decode_or_raise_protocol_error(data, buffers):
    decode_bounded(json.loads(json.dumps(data)) if _json_safe(data) else data, buffers, mib=16)


def _json_safe(data) -> bool:
    try:
        json.dumps(data, allow_nan=False)
        return True
    except (ValueError, TypeError):
        return False


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.binary(max_size=300), st.builds(
    lambda h, bufs, cut: (struct.pack("<I", len(h)) + h + struct.pack("<I", len(bufs))
                          + b"".join(struct.pack("<Q", len(b)) + b for b in bufs))[:cut],
    st.one_of(st.binary(max_size=60), _values.map(lambda v: json.dumps(v).encode())),
    st.lists(st.binary(max_size=40), max_size=3), st.integers(0, 400))))
def test_fuzzed_frames_are_frames_or_protocol_errors(raw):
    a, b = socket.socketpair()
    try:
        a.sendall(raw)
        a.shutdown(socket.SHUT_WR)
        try:
            header, buffers = protocol.recv_frame(b)
            protocol.decode(header.get("value"), buffers)
        except protocol.ProtocolError:
            pass
    finally:
        a.close()
        b.close()


def test_the_calls_deadline_covers_decoding_the_reply():
    """A reply that arrives in time but takes long to decode ends as a timeout, not later."""
    import os
    import threading

    from graders.contracts import Limits
    from graders.sandbox import host
    grader, sandbox = socket.socketpair()
    ctl, _ctl_peer = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    out_r, out_w = os.pipe()
    box = host.Sandbox(grader, ctl, host.OutputCollector(out_r, 1024), Limits(call_seconds=0.2))
    reply = {"ok": True, "value": [[1, 2]] * 120_000}          # arrives at once; decoding is the cost

    def answer():
        protocol.recv_frame(sandbox)
        time.sleep(0.1)                                       # half of the call's time is gone
        try:
            protocol.send_frame(sandbox, reply)
        except OSError:
            pass                                              # the grader gave up and hung up
    worker = threading.Thread(target=answer)
    worker.start()
    t0 = time.monotonic()
    with pytest.raises(host.CallTimeout):
        box.request({"op": "call"}, timeout=0.2)
    assert time.monotonic() - t0 < 1.0
    grader.close()
    worker.join()
    for s in (sandbox, ctl, _ctl_peer):
        s.close()
    os.close(out_r)
    os.close(out_w)


@pytest.mark.parametrize("together", [True, False], ids=["one-write", "two-writes"])
def test_a_second_frame_after_the_reply_is_caught_even_when_read_ahead(together):
    """The channel reads ahead (one recv brings a small frame whole): a forged frame that came in
    the same read as the reply waits in its buffer, not in the socket, and must count as sent."""
    import os
    import threading

    from graders.contracts import Limits
    from graders.sandbox import host
    grader, sandbox = socket.socketpair()
    ctl, _ctl_peer = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    out_r, _out_w = os.pipe()
    box = host.Sandbox(grader, ctl, host.OutputCollector(out_r, 1024), Limits(call_seconds=2))
    reply = _frame_bytes({"ok": True, "value": 1, "tripwires": "none"})
    forged = _frame_bytes({"ok": True, "value": 40, "tripwires": "none"})
    if together:
        sandbox.sendall(reply + forged)
        with pytest.raises(protocol.ProtocolError, match="more than one reply"):
            box.request({"op": "call"}, timeout=2)
    else:
        sandbox.sendall(reply)
        box.request({"op": "call"}, timeout=2)
        assert box.pending() is None and box.chan.buffered == 0
        threading.Timer(0.05, sandbox.sendall, (forged,)).start()
        time.sleep(0.3)
        assert box.pending() == "data"                 # caught before the next request is sent
    grader.close()
    sandbox.close()


def _frame_bytes(header, buffers=()):
    a, b = socket.socketpair()
    protocol.send_frame(a, header, list(buffers))
    a.close()
    return b"".join(iter(lambda: b.recv(65536), b""))

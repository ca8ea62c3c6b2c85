"""The GPU lane's rules, exercised without a GPU: device choice, the outside memory watch,
and a CUDA out-of-memory in the student's code as a failed check with a message."""
import threading

import pytest
import torch

from graders.contracts import Job, Limits
from graders.device import sandbox_device, to_device
from graders.sandbox.gpu import CONTEXT_MIB, GpuWatch, parse_compute_apps
from graders.sandbox.proxy import Session
from tests.conftest import TOY

HAS_CUDA = torch.cuda.is_available()


def test_cpu_queue_stays_on_the_cpu_and_gpu_queue_takes_cuda_only_where_there_is_one(monkeypatch):
    monkeypatch.delenv("SEQLAB_DEVICE", raising=False)
    monkeypatch.delenv("SEQLAB_FORCE_CPU", raising=False)
    assert sandbox_device("cpu") == "cpu"
    assert sandbox_device("gpu") == ("cuda" if HAS_CUDA else "cpu")
    monkeypatch.setenv("SEQLAB_DEVICE", "cuda")
    assert sandbox_device("cpu") == ("cuda" if HAS_CUDA else "cpu")
    monkeypatch.setenv("SEQLAB_FORCE_CPU", "1")
    assert sandbox_device("gpu") == "cpu"


def test_a_misspelt_device_override_is_refused(monkeypatch):
    monkeypatch.setenv("SEQLAB_DEVICE", "gpu0")
    with pytest.raises(ValueError, match="SEQLAB_DEVICE"):
        sandbox_device("cpu")


def test_placing_on_the_cpu_changes_nothing():
    x = torch.ones(2)
    value = {"a": [x, (x, 3)]}
    assert to_device(value, "cpu") is value


def test_nvml_lines_are_parsed_and_unreadable_ones_skipped():
    assert parse_compute_apps("123, 512\n456, [N/A]\n123, 100\nnonsense\n") == {123: 612}


def test_the_watch_kills_a_sandbox_over_its_gpu_limit_and_says_so():
    killed = []
    samples = iter([{7: 100}, {7: 2048 + CONTEXT_MIB + 1}])
    watch = GpuWatch(7, 2048, query=lambda: next(samples, {}), kill=killed.append)
    watch.sample()
    assert not killed and watch.peak_mib == 100
    watch.sample()
    assert killed == [7]
    report = watch.stop()
    assert report["gpu_over_limit"] is True and report["gpu_peak_mib"] == 2048 + CONTEXT_MIB + 1


def test_without_nvml_the_watch_reports_itself_unavailable():
    watch = GpuWatch(7, 2048, query=lambda: None, kill=lambda pid: pytest.fail("nothing to kill"))
    watch.start()
    watch.join(timeout=5)
    assert watch.stop() == {"gpu_peak_mib": 0, "gpu_limit_mib": 2048, "gpu_watch": "unavailable"}
    assert not any(t.name == "gpu-watch-7" for t in threading.enumerate())


def test_a_sandbox_killed_for_gpu_memory_is_explained_to_the_student():
    session = Session(None, filename="toy.py", source=b"", limits=Limits(gpu_memory_mib=2048), seed=0)
    text = session._death({"signal": "SIGKILL", "gpu_over_limit": True, "gpu_peak_mib": 4000})
    assert "4000 MiB of GPU memory" in text and "2048 MiB" in text


CUDA_OOM = (TOY / "solution" / "toy.py").read_text().replace(
    "def double(x):\n    return x * 2",
    "def double(x):\n    raise torch.OutOfMemoryError('CUDA out of memory. Tried to allocate 80.00 GiB')")


def test_a_cuda_out_of_memory_fails_the_check_with_a_message_and_the_grader_goes_on(engine):
    result = engine.grade(Job(str(TOY), "toy.py", CUDA_OOM.encode()))
    doubled = [t for t in result.tests if "double" in t.tags and "double_sum" not in t.tags]
    assert doubled and all(t.status == "failed" for t in doubled)
    assert all("ran out of GPU memory" in t.output for t in doubled), [t.output for t in doubled]
    others = [t for t in result.tests if "softmax_rows" in t.tags]
    assert others and all(t.status == "passed" for t in others)
    assert engine.grade(Job(str(TOY), "toy.py", (TOY / "solution" / "toy.py").read_bytes())).score == 10

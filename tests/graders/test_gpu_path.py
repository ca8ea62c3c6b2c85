"""The GPU path on a machine without a GPU: the same code, pinned by CUDA_VISIBLE_DEVICES."""
import torch

from graders.contracts import Job
from graders.device import grading_device
from graders.engine import Engine
from tests.conftest import TOY

PINNED = (TOY / "solution" / "toy.py").read_text().replace(
    "    return x * 2",
    "    import os\n    return x * 2 if os.environ.get('CUDA_VISIBLE_DEVICES') == '3' else x")


def test_device_is_cuda_only_with_a_gpu(monkeypatch):
    assert grading_device() == ("cuda" if torch.cuda.is_available() else "cpu")
    monkeypatch.setenv("SEQLAB_FORCE_CPU", "1")
    assert grading_device() == "cpu"


def test_a_pinned_worker_passes_its_gpu_to_the_sandbox_and_nothing_else(monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "3")
    monkeypatch.setenv("SEQLAB_SECRET_FOR_TEST", "must not leak")
    leak = PINNED.replace("def softmax_rows(x):\n",
                          "def softmax_rows(x):\n    import os\n    assert 'SEQLAB_SECRET_FOR_TEST' not in os.environ\n")
    with Engine() as engine:
        result = engine.grade(Job(str(TOY), "toy.py", leak.encode()))
    assert result.score == 10, [t.output for t in result.tests]

"""The grading worker launcher: one pinned process per GPU, or N on the CPU."""
from seqlab.grading.workers import gpu_ids, plan


def test_gpu_queue_gets_one_pinned_process_per_gpu():
    specs = plan(queues="gpu", processes=1, gpus=["0", "1"])
    assert [(s.name, s.env["CUDA_VISIBLE_DEVICES"]) for s in specs] == [("gpu0", "0"), ("gpu1", "1")]
    assert all("--pool=solo" in s.command() and "--queues=gpu" in s.command() for s in specs)


def test_without_a_gpu_the_same_worker_runs_on_the_cpu():
    specs = plan(queues="gpu", processes=1, gpus=[])
    assert len(specs) == 1 and specs[0].env["CUDA_VISIBLE_DEVICES"] == ""


def test_cpu_queue_runs_the_requested_number_of_processes():
    assert [s.name for s in plan(queues="cpu", processes=3, gpus=["0"])] == ["cpu0", "cpu1", "cpu2"]


def test_gpu_ids_come_from_the_environment_first(monkeypatch):
    monkeypatch.setenv("SEQLAB_GPU_IDS", "2,3")
    assert gpu_ids() == ["2", "3"]
    monkeypatch.setenv("SEQLAB_GPU_IDS", "none")
    assert gpu_ids() == []

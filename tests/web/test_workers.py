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


# ------------------------------------------------------------ the supervisor owns its workers
import json  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from seqlab.grading import health, supervisor  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:         # a zombie waiting for its reaper is dead too
        return stat.read().split(")")[-1].split()[0] != "Z"


def _supervisor(tmp_path, *extra, grace: int = 3):
    for folder in ("broker", "broker-control"):      # the filesystem broker's folders
        (tmp_path / folder).mkdir(exist_ok=True)
    env = {**os.environ, "PYTHONPATH": f"{REPO / 'platform'}{os.pathsep}{REPO}", "SEQLAB_VAR_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "seqlab.config.settings.dev", "CELERY_BROKER_URL": "filesystem://",
           "SEQLAB_ENGINE": "tests.web.fake_engine.FakeEngine", "SEQLAB_STOP_GRACE_SECONDS": "20",
           "SEQLAB_ADOPT_GRACE_SECONDS": str(grace)}
    return subprocess.Popen([sys.executable, "manage.py", "grading_worker", "--queues", "cpu", "--processes", "1",
                             *extra], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _children(tmp_path, timeout=60) -> dict[str, int]:
    state = tmp_path / "run" / "grading-cpu.json"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if state.exists():
            return json.loads(state.read_text())["children"]
        time.sleep(0.2)
    raise AssertionError("the supervisor wrote no state")


@pytest.mark.slow
def test_workers_nobody_adopts_stop_when_their_supervisor_is_killed_and_a_second_supervisor_refuses(
        tmp_path, monkeypatch):
    boss = _supervisor(tmp_path)
    try:
        children = _children(tmp_path)
        assert set(children) == {"cpu0", "maintenance"} and all(_alive(p) for p in children.values())
        monkeypatch.setenv("SEQLAB_VAR_DIR", str(tmp_path))
        assert health.problems("cpu") == []
        second = _supervisor(tmp_path)
        out, _ = second.communicate(timeout=60)
        assert second.returncode != 0 and "already runs here" in out
        boss.send_signal(signal.SIGKILL)
        boss.wait()
        deadline = time.monotonic() + 45
        while any(_alive(p) for p in children.values()) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not any(_alive(p) for p in children.values()), "workers outlived their supervisor"
        assert health.problems("cpu")                 # the container's health check now fails
    finally:
        boss.kill()
        _kill_all(tmp_path)


def _kill_all(tmp_path):
    state = tmp_path / "run" / "grading-cpu.json"
    for pid in (json.loads(state.read_text())["children"].values() if state.exists() else ()):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_health_check_names_a_dead_worker(tmp_path, monkeypatch):
    monkeypatch.setenv("SEQLAB_VAR_DIR", str(tmp_path))
    supervisor.run_dir().mkdir(parents=True)
    supervisor.write_state("cpu", {"cpu0": os.getpid(), "cpu1": 2 ** 22 + 12345})
    assert health.problems("cpu") == [f"worker cpu1 (pid {2 ** 22 + 12345}) is gone"]
    assert health.problems("gpu")[0].startswith("no supervisor state")
    assert health.problems("cpu", now=time.time() + 120) == ["the supervisor's state is stale",
                                                             f"worker cpu1 (pid {2 ** 22 + 12345}) is gone"]


@pytest.mark.slow
def test_a_restarted_supervisor_adopts_the_running_workers_instead_of_doubling_them(tmp_path):
    boss = _supervisor(tmp_path, grace=150)
    successor = None
    try:
        before = _children(tmp_path)
        time.sleep(2)                                 # the workers' watchers are up
        boss.send_signal(signal.SIGKILL)
        boss.wait()
        successor = _supervisor(tmp_path, grace=150)
        deadline = time.monotonic() + 120             # a busy host starts Django slowly
        while _children(tmp_path).get("cpu0") != before["cpu0"] or json.loads(
                (tmp_path / "run" / "grading-cpu.json").read_text())["pid"] != successor.pid:
            assert time.monotonic() < deadline, "the successor did not adopt the workers"
            time.sleep(0.2)
        time.sleep(5)                                 # the adopted workers keep running
        assert _children(tmp_path) == before and all(_alive(p) for p in before.values())
        successor.send_signal(signal.SIGTERM)         # and the adopter stops them like its own
        successor.wait(timeout=60)
        assert not any(_alive(p) for p in before.values())
    finally:
        for proc in (boss, successor):
            if proc is not None:
                proc.kill()
        _kill_all(tmp_path)


"""docker-compose.yml agrees with the code: its services, commands and env reach real entry points."""
from __future__ import annotations

import ast
import os
import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("web", "worker-cpu", "worker-gpu", "beat")
PLATFORM = REPO / "platform"


def _argv(service: str) -> list[str]:
    command = SERVICES[service]["command"]
    if command[:2] == ["sh", "-c"]:
        return shlex.split(command[2].split("exec ", 1)[-1])
    return command


def _resolved_env(service: str) -> dict[str, str]:
    """The service's environment with ${VAR:-default} / ${VAR:?msg} filled with dummy values."""
    def fill(value: str) -> str:
        return re.sub(r"\$\{(\w+)(?::?[-?]([^}]*))?\}",
                      lambda m: m.group(2) if "-" in m.group(0) and m.group(2) else f"dummy-{m.group(1).lower()}",
                      str(value))
    return {key: fill(value) for key, value in SERVICES[service]["environment"].items()}


def test_every_production_service_is_there():
    assert set(SERVICES) == {"db", "redis", "web", "worker-cpu", "worker-gpu", "beat"}


def test_web_runs_gunicorn_on_the_real_wsgi_module():
    argv = _argv("web")
    assert argv[0] == "gunicorn"
    module, attr = argv[1].split(":")
    source = (PLATFORM / (module.replace(".", "/") + ".py")).read_text()
    assert attr in {t.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Assign) for t in n.targets}
    assert "migrate --noinput" in SERVICES["web"]["command"][2]


def test_workers_cover_every_queue_an_assignment_may_name():
    from graders.assignment import QUEUES
    queues = set()
    for service in ("worker-cpu", "worker-gpu"):
        argv = _argv(service)
        assert argv[:3] == ["python", "manage.py", "grading_worker"]
        queues |= set(argv[argv.index("--queues") + 1].split(","))
    assert queues == set(QUEUES)


def test_worker_commands_parse_with_the_real_management_command():
    from seqlab.submissions.management.commands.grading_worker import Command
    for service in ("worker-cpu", "worker-gpu"):
        options = Command().create_parser("manage.py", "grading_worker").parse_args(_argv(service)[3:])
        assert options.queues in ("cpu", "gpu")


def test_gpu_worker_reserves_nvidia_devices_and_workers_may_build_sandboxes():
    devices = SERVICES["worker-gpu"]["deploy"]["resources"]["reservations"]["devices"]
    assert devices[0]["driver"] == "nvidia" and "gpu" in devices[0]["capabilities"]
    for service in ("worker-cpu", "worker-gpu"):
        assert "seccomp=unconfined" in SERVICES[service]["security_opt"]


def test_beat_runs_the_celery_app_whose_schedule_names_a_real_task():
    from django.conf import settings

    from seqlab.config.celery import app
    argv = _argv("beat")
    assert argv[:5] == ["python", "-m", "celery", "-A", "seqlab"] and "beat" in argv
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


def test_app_services_share_only_env_config_the_code_reads():
    code = "\n".join(p.read_text() for p in PLATFORM.rglob("*.py")) + (REPO / "manage.py").read_text()
    for service in APP_SERVICES:
        env = SERVICES[service]["environment"]
        assert {"DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY"} <= set(env), service
        assert "build" in SERVICES[service] and not SERVICES[service].get("volumes"), f"{service}: no shared disk"
        for name in env:
            assert f'"{name}"' in code, f"{service} sets {name}, which nothing reads"


@pytest.mark.parametrize("service", APP_SERVICES)
def test_production_settings_load_from_the_compose_environment(service):
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DATABASE", "REDIS", "SEQLAB"))},
           **_resolved_env(service), "PYTHONPATH": f"{PLATFORM}{os.pathsep}{REPO}",
           "DJANGO_SECRET_KEY": secrets.token_urlsafe(64)}       # a dummy key this short refuses to start
    probe = ("import django; django.setup(); from django.conf import settings; "
             "print(settings.DATABASES['default']['HOST'], settings.CELERY_BROKER_URL, settings.DEBUG)")
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["db", "redis://redis:6379/0", "False"]


def test_dockerfile_puts_the_platform_folder_on_the_path():
    dockerfile = (REPO / "Dockerfile").read_text()
    assert "PYTHONPATH=/app/platform:/app" in dockerfile
    assert "seqlab.config.settings.production" in dockerfile


def _seconds(duration: str) -> float:
    """A compose duration ("330s", "5m30s", "2m") in seconds."""
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|h|m|s)", str(duration))
    assert parts and "".join(n + u for n, u in parts) == str(duration), duration
    return sum(float(n) * units[u] for n, u in parts)


def _longest_wall_seconds() -> float:
    import tomllib
    return max(tomllib.loads(p.read_text()).get("limits", {}).get("wall_seconds", 0)
               for p in (REPO / "assignments").glob("*/assignment.toml"))


def test_every_service_restarts_unless_stopped():
    for name, service in SERVICES.items():
        assert service.get("restart") in ("unless-stopped", "always"), name


@pytest.mark.parametrize("service", ("worker-cpu", "worker-gpu"))
def test_a_stopping_worker_may_finish_its_longest_grading_before_docker_kills_it(service):
    grace = int(SERVICES[service]["environment"]["SEQLAB_STOP_GRACE_SECONDS"])
    assert _longest_wall_seconds() < grace < _seconds(SERVICES[service]["stop_grace_period"])
    assert SERVICES[service].get("stop_signal", "SIGTERM") == "SIGTERM"
    assert SERVICES[service]["init"] is True          # orphaned sandbox processes are reaped


@pytest.mark.parametrize("service", ("worker-cpu", "worker-gpu"))
def test_worker_health_check_runs_the_real_check_for_its_own_queues(service, tmp_path):
    test = SERVICES[service]["healthcheck"]["test"]
    argv = _argv(service)
    assert test[:4] == ["CMD", "python", "-m", "seqlab.grading.health"]
    assert test[4] == argv[argv.index("--queues") + 1]
    env = {**os.environ, "PYTHONPATH": f"{PLATFORM}{os.pathsep}{REPO}", "SEQLAB_VAR_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, *test[2:]], env=env, capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 1 and "no supervisor state" in out.stdout     # nothing runs here: unhealthy


def test_exactly_one_host_role_runs_the_sweeper_by_default():
    def default(value: str) -> str:
        return re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", str(value))
    sweepers = [s for s in ("worker-cpu", "worker-gpu")
                if default(SERVICES[s]["environment"]["SEQLAB_MAINTENANCE_WORKER"]) == "1"]
    assert sweepers == ["worker-cpu"]

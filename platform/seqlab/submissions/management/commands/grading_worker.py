"""`manage.py grading_worker --queues gpu`: run and supervise the grading worker processes."""
import argparse
import os
import signal
import subprocess
import time

from django.core.management.base import BaseCommand, CommandError

from seqlab.config.env import env_bool, env_int
from seqlab.grading import supervisor
from seqlab.grading.workers import gpu_ids, plan


class Command(BaseCommand):
    help = ("Start one Celery worker per GPU (pinned with CUDA_VISIBLE_DEVICES) or N CPU workers, "
            "plus the stuck-work sweeper's own process. Restarted, it adopts the workers its predecessor "
            "left; workers nobody adopts stop.")

    def add_arguments(self, parser):
        parser.add_argument("--queues", default=os.environ.get("SEQLAB_QUEUES", "cpu"))
        parser.add_argument("--processes", type=int, default=int(os.environ.get("SEQLAB_WORKER_PROCESSES", "1")))
        parser.add_argument("--maintenance", action=argparse.BooleanOptionalAction, default=env_bool("SEQLAB_MAINTENANCE_WORKER", True),
                            help="also run the sweeper's process (one per host is plenty; default on)")
        parser.add_argument("--stop-grace", type=int, default=env_int("SEQLAB_STOP_GRACE_SECONDS", 300),
                            help="seconds a stopping worker may finish its grading (longer than any wall limit)")

    def handle(self, *args, queues: str, processes: int, maintenance: bool, stop_grace: int, **options):
        try:
            held = supervisor.lock(queues)
        except supervisor.AlreadyRunning as exc:
            raise CommandError(str(exc)) from None
        specs = plan(queues=queues, processes=processes, gpus=gpu_ids(), maintenance=maintenance)
        stopping = []
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stopping.append(True))
        adopted = supervisor.adoptable(queues)       # a predecessor's workers that still run
        children = {spec.name: adopted.get(spec.name) or self._start(spec, queues) for spec in specs}
        for name in set(adopted) - set(children):   # a worker this plan no longer has
            adopted[name].send_signal(signal.SIGTERM)
        if adopted:
            self.stdout.write(f"adopted {', '.join(f'{n} (pid {c.pid})' for n, c in adopted.items())}")
        try:
            self._supervise(queues, specs, children, stopping)
        finally:
            self._stop(list(children.values()), stop_grace)
            supervisor.remove_state(queues)
            held.close()

    def _supervise(self, queues, specs, children, stopping) -> None:
        while not stopping:
            supervisor.write_state(queues, {name: child.pid for name, child in children.items()})
            time.sleep(1)
            for spec in specs:      # a worker that died is replaced; the sweeper re-sends its run
                if children[spec.name].poll() is not None and not stopping:
                    self.stderr.write(f"{spec.name} exited ({children[spec.name].returncode}); restarting")
                    time.sleep(1)
                    children[spec.name] = self._start(spec, queues)

    @staticmethod
    def _stop(children, grace: int) -> None:
        """Warm shutdown first (a running grade finishes), then kill whatever is left."""
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for child in children:
            try:
                child.wait(timeout=max(1.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()

    def _start(self, spec, queues: str):
        pinned = spec.env.get("CUDA_VISIBLE_DEVICES") or "none (CPU)"
        self.stdout.write(f"starting {spec.name} on queues {spec.queues}, GPU {pinned}")
        self.stdout.flush()
        # the worker watches this supervisor, and stops if it dies and no successor adopts it
        env = {**spec.env, "SEQLAB_SUPERVISOR_PID": str(os.getpid()),
               "SEQLAB_SUPERVISOR_STATE": str(supervisor.state_path(queues))}
        return subprocess.Popen(spec.command(), env=env)

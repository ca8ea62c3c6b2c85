"""`manage.py grading_worker --queues gpu`: run and supervise the grading worker processes."""
import os
import signal
import subprocess
import time

from django.core.management.base import BaseCommand

from seqlab.grading.workers import gpu_ids, plan


class Command(BaseCommand):
    help = "Start one Celery worker per GPU (pinned with CUDA_VISIBLE_DEVICES) or N CPU workers."

    def add_arguments(self, parser):
        parser.add_argument("--queues", default=os.environ.get("SEQLAB_QUEUES", "cpu"))
        parser.add_argument("--processes", type=int, default=int(os.environ.get("SEQLAB_WORKER_PROCESSES", "1")))

    def handle(self, *args, queues: str, processes: int, **options):
        specs = plan(queues=queues, processes=processes, gpus=gpu_ids())
        children = {spec.name: self._start(spec) for spec in specs}
        stopping = []
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stopping.append(True))
        while not stopping:
            time.sleep(1)
            for spec in specs:      # a worker that died is replaced; its task was re-queued by the broker
                if children[spec.name].poll() is not None:
                    self.stderr.write(f"{spec.name} exited ({children[spec.name].returncode}); restarting")
                    time.sleep(2)
                    children[spec.name] = self._start(spec)
        self._stop(list(children.values()))

    @staticmethod
    def _stop(children) -> None:
        """Warm shutdown first (a running grade finishes), then kill whatever is left."""
        for child in children:
            child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 90
        for child in children:
            try:
                child.wait(timeout=max(1.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()

    def _start(self, spec):
        pinned = spec.env.get("CUDA_VISIBLE_DEVICES") or "none (CPU)"
        self.stdout.write(f"starting {spec.name} on queues {spec.queues}, GPU {pinned}")
        return subprocess.Popen(spec.command(), env=spec.env)

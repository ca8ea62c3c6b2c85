"""`manage.py sync_assignments [PATH]`: store assignment folders as versions (idempotent)."""
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from graders.assignment import AssignmentError
from seqlab.courses.services import assignments_sync_folder


class Command(BaseCommand):
    help = "Sync one assignment folder, or every assignment inside a folder (default: assignments/)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(settings.SEQLAB_ASSIGNMENTS_DIR))

    def handle(self, *args, path: str, **options):
        root = Path(path).resolve()
        if not root.is_dir():
            raise CommandError(f"{root} is not a folder")
        try:
            outcomes = assignments_sync_folder(root=root)
        except AssignmentError as exc:
            raise CommandError(str(exc)) from exc
        for o in outcomes:
            state = "new version" if o.created else "unchanged"
            hint = "  (checks changed: consider regrade-all)" if o.checks_changed else ""
            self.stdout.write(f"{o.assignment.slug:24} {o.version.content_hash[:12]}  {state}{hint}")
        if not outcomes:
            self.stdout.write(f"no assignment.toml found under {root}")

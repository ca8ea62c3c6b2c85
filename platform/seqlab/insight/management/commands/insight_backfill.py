"""Record diagnoses and fingerprints for results stored before insight existed (or re-read them)."""
from django.core.management.base import BaseCommand

from seqlab.insight.services import diagnoses_backfill


class Command(BaseCommand):
    help = "Record the named mistakes and behavioural fingerprint of every current result."

    def add_arguments(self, parser):
        parser.add_argument("--offering", type=int, help="only this offering's submissions")
        parser.add_argument("--all-runs", action="store_true", help="every stored result, not only the current ones")

    def handle(self, *args, offering=None, all_runs=False, **options):
        counts = diagnoses_backfill(offering_id=offering, current_only=not all_runs)
        self.stdout.write(f"insight: {counts['results']} results read, {counts['diagnoses']} diagnoses recorded")

"""`manage.py seed_demo`: demo people, a course and an offering of every synced assignment."""
import os
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from seqlab.accounts.services import user_with_password
from seqlab.courses.models import Assignment, Course, Offering
from seqlab.courses.services import course_create, membership_set, offering_save

PEOPLE = (("instructor", "교수", "instructor"), ("ta", "조교", "ta"),
          ("student1", "학생1", "student"), ("student2", "학생2", "student"))


class Command(BaseCommand):
    help = "Create (or reset) the demo users and course; prints each password."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=os.environ.get("SEQLAB_DEMO_PASSWORD"),
                            help="one password for everyone (default: a new random one each)")

    @transaction.atomic
    def handle(self, *args, password=None, **options):
        course = Course.objects.filter(slug="seq-models").first() or course_create(
            slug="seq-models", title_ko="딥러닝: 시퀀스 모델", title_en="Deep learning: sequence models", term="2025-2")
        lines = []
        for username, name, role in PEOPLE:
            user, pw = user_with_password(username=username, first_name=name, password=password,
                                          is_superuser=(role == "instructor"))
            membership_set(course=course, user=user, role=role)
            lines.append(f"  {role:10} {username:10} {pw}")
        instructor = Course.objects.get(pk=course.pk).memberships.get(role="instructor").user
        self._offer_all(course, instructor)
        self.stdout.write("demo users (username, password):\n" + "\n".join(lines))

    def _offer_all(self, course, instructor):
        now = timezone.now().replace(minute=0, second=0, microsecond=0)
        for assignment in Assignment.objects.exclude(current_version=None):
            if Offering.objects.filter(course=course, assignment=assignment).exists():
                continue
            # A written part's statement says the last submission is the one TAs grade.
            offering_save(actor=instructor, course=course, assignment=assignment,
                          release_at=now - timedelta(days=1), due_at=now + timedelta(days=14),
                          hard_cutoff_at=now + timedelta(days=17),
                          score_policy="last" if assignment.kind == "written" else "best")
            self.stdout.write(f"offered {assignment.slug} in {course.slug}")

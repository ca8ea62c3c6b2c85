"""The worker hands the engine the attempt's offering, so hidden inputs (seeded with the deployment
secret and the offering) differ from one term's offering of an assignment to the next."""
from datetime import timedelta

from django.utils import timezone

from seqlab.courses.services import offering_save
from seqlab.submissions.services import submission_create, submission_job


def test_each_offering_of_an_assignment_has_its_own_seed_context(student, outsider, offering, other_course,
                                                                  instructor, adder, solution_bytes):
    now = timezone.now()
    later = offering_save(actor=instructor, course=other_course, assignment=adder, cooldown_seconds=0,
                          release_at=now - timedelta(days=1), due_at=now + timedelta(days=7))
    here = submission_job(submission=submission_create(student=student, offering=offering, filename="adder.py",
                                                       content=solution_bytes))
    there = submission_job(submission=submission_create(student=outsider, offering=later, filename="adder.py",
                                                        content=solution_bytes))
    assert here.seed_context and there.seed_context and here.seed_context != there.seed_context
    assert f"offering-{offering.pk}" in here.seed_context

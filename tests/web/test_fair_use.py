"""Fair use by default: queued work per student is capped, offerings cool down, logins and the
API are throttled; the numbers live in settings (docs/security.md)."""
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from seqlab.courses.services import offering_save
from seqlab.submissions.models import Submission
from seqlab.submissions.services import SubmissionRefused, submission_create, submission_grade

pytestmark = pytest.mark.django_db
CODE = b"def add(a, b):\n    return a - b\n"


def _submit(student, offering, n=1):
    return [submission_create(student=student, offering=offering, filename="adder.py", content=CODE) for _ in range(n)]


def test_a_student_may_have_two_submissions_queued_per_offering_by_default(student, offering, settings):
    assert settings.SEQLAB_MAX_PENDING_PER_STUDENT == 2
    first, _second = _submit(student, offering, 2)
    with pytest.raises(SubmissionRefused) as refused:
        _submit(student, offering)
    assert refused.value.code == "pending" and Submission.objects.count() == 2
    submission_grade(submission_id=first.id, run=1, worker="t")
    assert _submit(student, offering)[0].number == 3


def test_the_cap_on_queued_work_is_per_student(student, other_student, offering):
    _submit(student, offering, 2)
    assert _submit(other_student, offering)[0].number == 1


def test_the_cap_on_queued_work_comes_from_settings(student, offering, settings):
    settings.SEQLAB_MAX_PENDING_PER_STUDENT = 1
    _submit(student, offering)
    with pytest.raises(SubmissionRefused):
        _submit(student, offering)


def test_a_new_offering_cools_down_by_default(course, adder, instructor, student, settings):
    now = timezone.now()
    offering = offering_save(actor=instructor, course=course, assignment=adder,
                             release_at=now - timedelta(days=1), due_at=now + timedelta(days=1))
    assert offering.cooldown_seconds == settings.SEQLAB_DEFAULT_COOLDOWN_SECONDS > 0
    _submit(student, offering)
    with pytest.raises(SubmissionRefused) as refused:
        _submit(student, offering)
    assert refused.value.code == "cooldown"


def test_the_new_offering_form_proposes_the_default_cool_down(client, instructor, course, settings):
    client.force_login(instructor)
    html = client.get(reverse("gradebook:offerings", args=[course.slug])).content.decode()
    assert f'name="cooldown_seconds" value="{settings.SEQLAB_DEFAULT_COOLDOWN_SECONDS}"' in html


def test_the_submission_page_shows_the_queue_position(client, student, other_student, offering):
    _submit(other_student, offering)
    mine = _submit(student, offering)[0]
    client.force_login(student)
    html = client.get(reverse("submissions:detail", args=[mine.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 submission ahead of yours" in html


def test_login_locks_out_after_five_wrong_passwords_even_with_the_right_one(client, student, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    url = reverse("accounts:login")
    codes = [client.post(url, {"username": "student", "password": "wrong"}).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 200, 429] and "_auth_user_id" not in client.session
    response = client.post(url, {"username": "student", "password": "student-pw"})
    assert response.status_code == 429 and "_auth_user_id" not in client.session


def test_right_password_before_the_limit_logs_in(client, student):
    url = reverse("accounts:login")
    for _ in range(3):
        client.post(url, {"username": "student", "password": "wrong"})
    response = client.post(url, {"username": "student", "password": "student-pw"})
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_the_api_throttles_each_user(student, offering, settings):
    cache.clear()
    settings.SEQLAB_API_RATES = {**settings.SEQLAB_API_RATES, "user": "3/min"}
    api = APIClient()
    api.force_authenticate(student)
    codes = [api.get("/api/assignments/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_the_api_throttles_anonymous_clients(settings):
    cache.clear()
    settings.SEQLAB_API_RATES = {**settings.SEQLAB_API_RATES, "anon": "2/min"}
    codes = [APIClient().get("/api/assignments/").status_code for _ in range(3)]
    assert codes == [401, 401, 429]


def test_the_api_throttles_submissions(student, offering, settings):
    cache.clear()
    settings.SEQLAB_API_RATES = {**settings.SEQLAB_API_RATES, "submit": "1/hour"}
    api = APIClient()
    api.force_authenticate(student)
    url = f"/api/offerings/{offering.pk}/submissions/"
    assert api.post(url, {"content": "x = 1"}, format="json").status_code == 201
    assert api.post(url, {"content": "x = 1"}, format="json").status_code == 429
    assert api.get(url).status_code == 200

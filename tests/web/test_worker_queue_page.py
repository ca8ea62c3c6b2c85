"""The operators' queue page: queue length, oldest waiting, workers alive; site staff only."""
import json
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from seqlab.grading import heartbeat
from seqlab.submissions.models import Submission
from seqlab.submissions.services import submission_create
from tests.web.services import require_postgres_and_redis

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def operator(django_user_model):
    return django_user_model.objects.create_user(username="operator", password="operator-pw", is_staff=True)


def test_site_staff_see_queue_length_oldest_wait_and_live_workers(client, settings, operator, student, offering,
                                                                  solution_bytes):
    require_postgres_and_redis(settings)
    redis = heartbeat.redis_client()
    first = submission_create(student=student, offering=offering, filename="adder.py", content=solution_bytes)
    submission_create(student=student, offering=offering, filename="adder.py", content=solution_bytes)
    Submission.objects.filter(pk=first.pk).update(queued_at=timezone.now() - timedelta(seconds=90))
    beat = {"identity": "cpu0@host#9", "role": "grading", "running": "", "held": [], "at": time.time()}
    redis.set(heartbeat.PREFIX + "cpu0@host#9", json.dumps(beat), ex=30)
    try:
        client.force_login(operator)
        data = client.get(reverse("grading:queue") + "?format=json").json()
        page = client.get(reverse("grading:queue")).content.decode()
    finally:
        redis.delete(heartbeat.PREFIX + "cpu0@host#9")
    cpu = next(q for q in data["queues"] if q["name"] == "cpu")
    assert cpu["queued"] == 2 and cpu["running"] == 0 and cpu["oldest_wait_seconds"] >= 89
    assert any(w["identity"] == "cpu0@host#9" for w in data["workers"])
    assert "cpu0@host#9" in page


def test_students_and_course_staff_cannot_see_the_queue_page(client, student, instructor):
    for user in (student, instructor):
        client.force_login(user)
        response = client.get(reverse("grading:queue"))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]

"""Who may open what: each page and API route against every named actor."""
import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ACTORS = ("instructor", "ta", "student", "other_student", "outsider", "other_ta", "anonymous")
OK, HIDDEN, LOGIN = 200, 404, 302

# url name, how to build its args, then the expected status for each actor above
MATRIX = [
    ("courses:course", "course", (OK, OK, OK, OK, HIDDEN, HIDDEN, LOGIN)),
    ("courses:offering", "offering", (OK, OK, OK, OK, HIDDEN, HIDDEN, LOGIN)),
    ("courses:starter", "offering", (OK, OK, OK, OK, HIDDEN, HIDDEN, LOGIN)),
    ("submissions:detail", "submission", (OK, OK, OK, HIDDEN, HIDDEN, HIDDEN, LOGIN)),
    ("submissions:live", "submission", (OK, OK, OK, HIDDEN, HIDDEN, HIDDEN, LOGIN)),
    ("submissions:source", "submission", (OK, OK, OK, HIDDEN, HIDDEN, HIDDEN, LOGIN)),
    ("gradebook:review", "course", (OK, OK, HIDDEN, HIDDEN, HIDDEN, HIDDEN, LOGIN)),
    ("gradebook:review_detail", "submission", (OK, OK, HIDDEN, HIDDEN, HIDDEN, HIDDEN, LOGIN)),
    ("gradebook:audit", "course", (OK, OK, HIDDEN, HIDDEN, HIDDEN, HIDDEN, LOGIN)),
    ("gradebook:written", "offering", (OK, OK, HIDDEN, HIDDEN, HIDDEN, HIDDEN, LOGIN)),
    ("gradebook:gradebook", "course", (OK, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, LOGIN)),
    ("gradebook:gradebook_csv", "course", (OK, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, LOGIN)),
    ("gradebook:offerings", "course", (OK, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, LOGIN)),
    ("gradebook:offering_edit", "offering", (OK, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, LOGIN)),
    ("gradebook:histogram", "offering", (OK, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, LOGIN)),
    ("api:submission", "submission", (OK, OK, OK, HIDDEN, HIDDEN, HIDDEN, 401)),
    ("api:offering_submissions", "offering", (OK, OK, OK, OK, HIDDEN, HIDDEN, 401)),
]


@pytest.fixture
def actors(instructor, ta, student, other_student, outsider, other_ta):
    return {"instructor": instructor, "ta": ta, "student": student, "other_student": other_student,
            "outsider": outsider, "other_ta": other_ta, "anonymous": None}


@pytest.mark.parametrize("name,target,expected", MATRIX, ids=[m[0] for m in MATRIX])
def test_permission_matrix(client, actors, course, offering, graded, name, target, expected):
    arg = {"course": course.slug, "offering": offering.pk, "submission": graded.pk}[target]
    url = reverse(name, args=[arg])
    for actor, want in zip(ACTORS, expected):
        client.logout()
        if actors[actor]:
            client.force_login(actors[actor])
        got = client.get(url).status_code
        assert got == want, f"{actor} GET {url}: {got}, expected {want}"


def test_anonymous_is_sent_to_login(client, course):
    response = client.get(reverse("courses:course", args=[course.slug]))
    assert response.url.startswith(reverse("accounts:login"))


def test_student_cannot_post_staff_actions(client, student, graded, offering):
    client.force_login(student)
    posts = [reverse("gradebook:override", args=[graded.pk]), reverse("gradebook:regrade_one", args=[graded.pk]),
             reverse("gradebook:regrade_all", args=[offering.pk]), reverse("gradebook:publish", args=[offering.pk])]
    for url in posts:
        assert client.post(url, {"score": 0, "comment": "x", "check_number": ""}).status_code == 404, url
    graded.refresh_from_db()
    assert not graded.overrides.exists() and graded.run == 1


def test_ta_cannot_change_dates_or_export(client, ta, offering, course):
    client.force_login(ta)
    assert client.post(reverse("gradebook:offering_edit", args=[offering.pk]), {}).status_code == 404
    assert client.get(reverse("gradebook:gradebook_csv", args=[course.slug])).status_code == 404


def test_unreleased_offering_is_invisible_to_students(client, student, ta, offering):
    from datetime import timedelta

    from django.utils import timezone
    offering.release_at = timezone.now() + timedelta(days=1)
    offering.save()
    client.force_login(student)
    assert client.get(reverse("courses:offering", args=[offering.pk])).status_code == 404
    client.force_login(ta)
    assert client.get(reverse("courses:offering", args=[offering.pk])).status_code == 200

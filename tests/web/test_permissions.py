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
    ("gradebook:categories", "course", (OK, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, LOGIN)),
    ("gradebook:offering_edit", "offering", (OK, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, LOGIN)),
    ("gradebook:histogram", "offering", (OK, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, LOGIN)),
    ("api:submission", "submission", (OK, OK, OK, HIDDEN, HIDDEN, HIDDEN, 401)),
    ("api:offering_submissions", "offering", (OK, OK, OK, OK, HIDDEN, HIDDEN, 401)),
    ("courses:home", None, (OK, OK, OK, OK, OK, OK, LOGIN)),
    ("api:assignments", None, (OK, OK, OK, OK, OK, OK, 401)),
    ("accounts:token", None, (OK, OK, OK, OK, OK, OK, LOGIN)),
    ("accounts:login", None, (OK, OK, OK, OK, OK, OK, OK)),
    ("submissions:artifact", "artifact", (OK, OK, OK, HIDDEN, HIDDEN, HIDDEN, LOGIN)),
    ("gradebook:regrade_progress", "offering", (OK, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, LOGIN)),
    ("gradebook:publish", "offering", (OK, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, LOGIN)),
    ("courses:accommodations", "course", (OK, OK, HIDDEN, HIDDEN, HIDDEN, HIDDEN, LOGIN)),
]


@pytest.fixture
def actors(instructor, ta, student, other_student, outsider, other_ta):
    return {"instructor": instructor, "ta": ta, "student": student, "other_student": other_student,
            "outsider": outsider, "other_ta": other_ta, "anonymous": None}


@pytest.mark.parametrize("name,target,expected", MATRIX, ids=[m[0] for m in MATRIX])
def test_permission_matrix(client, actors, course, offering, graded, name, target, expected):
    args = {"course": [course.slug], "offering": [offering.pk], "submission": [graded.pk], None: [],
            "artifact": [graded.pk, graded.current_result.artifacts.get().pk]}[target]
    url = reverse(name, args=args)
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


def test_every_url_is_in_a_matrix():
    """A new page or endpoint must say who may use it before it ships."""
    from django.urls import get_resolver
    covered = {m[0] for m in MATRIX} | {p[0] for p in POSTS} | UNGATED
    names = set()
    for app in ("courses", "submissions", "gradebook", "api", "accounts"):
        resolver = get_resolver().namespace_dict[app][1]
        names |= {f"{app}:{n}" for n in resolver.reverse_dict if isinstance(n, str)}
    assert names - covered == set()


UNGATED = {"accounts:logout"}
ALLOWED, DENIED = "allowed", "denied"

# POST routes: who may change something (ALLOWED: not 403/404/login), who may not (DENIED: 403/404 or
# the login page, and nothing in the database changes). Actors in the order of ACTORS.
STAFF_ONLY = (ALLOWED, ALLOWED, DENIED, DENIED, DENIED, DENIED, DENIED)
INSTRUCTOR_ONLY = (ALLOWED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED)
MEMBERS = (ALLOWED, ALLOWED, ALLOWED, ALLOWED, DENIED, DENIED, DENIED)
POSTS = [
    ("gradebook:override", "submission", {"check_number": "", "score": "1", "comment": "why"}, STAFF_ONLY),
    ("gradebook:regrade_one", "submission", {}, STAFF_ONLY),
    ("gradebook:written_grade", "submission", {"check_number": "1", "met": []}, STAFF_ONLY),
    ("gradebook:extension_add", "offering", {"student": "STUDENT", "due_at": "2030-01-01T00:00"}, INSTRUCTOR_ONLY),
    ("gradebook:publish", "offering", {"publish": "1"}, INSTRUCTOR_ONLY),
    ("gradebook:regrade_all", "offering", {}, INSTRUCTOR_ONLY),
    ("gradebook:offerings", "course", {}, INSTRUCTOR_ONLY),
    ("gradebook:categories", "course", {"action": "save", "prefix": "new", "new-title_en": "X", "new-weight": "5"},
     INSTRUCTOR_ONLY),
    ("gradebook:offering_edit", "offering", {}, INSTRUCTOR_ONLY),
    ("submissions:submit", "offering", {"mode": "paste", "code": "def add(a, b):\n    return a + b\n"}, MEMBERS),
    ("submissions:answers", "quiz", {"q-scale": "sqrt"}, MEMBERS),
    ("api:offering_submissions", "offering", {"content": "def add(a, b):\n    return 0\n"}, MEMBERS),
    ("courses:accommodations", "course", {"student": "STUDENT", "extra_days": "3", "extra_time_percent": "50",
                                          "extra_attempts": "1"}, INSTRUCTOR_ONLY),
    ("courses:accommodation_remove", "course_student", {}, INSTRUCTOR_ONLY),
    ("courses:timed_start", "offering", {"confirm": "on"}, MEMBERS),
    ("accounts:token", None, {}, (ALLOWED,) * 6 + (DENIED,)),
    ("accounts:token_revoke", "token", {}, (DENIED,) * 7),
]


def _state():
    from seqlab.accounts.models import ApiToken
    from seqlab.courses.models import Accommodation, Extension, Offering, TimedStart
    from seqlab.gradebook.models import AuditEntry, Override
    from seqlab.submissions.models import Submission
    return (Override.objects.count(), AuditEntry.objects.count(), Extension.objects.count(),
            list(Accommodation.objects.values_list("student_id", "extra_days")), TimedStart.objects.count(),
            Submission.objects.count(), sorted(Submission.objects.values_list("run", flat=True)),
            list(Offering.objects.values_list("published_at", flat=True)),
            ApiToken.objects.filter(revoked_at__isnull=True).count())


@pytest.mark.parametrize("name,target,data,expected", POSTS, ids=[p[0] for p in POSTS])
def test_post_permission_matrix(client, actors, course, offering, quiz_offering, graded, name, target, data, expected):
    from seqlab.accounts.services import token_create
    graded.offering.cooldown_seconds = 0
    graded.offering.save()
    token = token_create(user=actors["student"])
    args = {"course": [course.slug], "offering": [offering.pk], "submission": [graded.pk], None: [],
            "token": [token.pk], "quiz": [quiz_offering.pk],
            "course_student": [course.slug, actors["student"].pk]}[target]
    url = reverse(name, args=args)
    for actor, want in zip(ACTORS, expected):
        if actor == "student" and name == "accounts:token_revoke":
            continue            # the owner may revoke; tested in tests/web/accounts
        client.logout()
        if actors[actor]:
            client.force_login(actors[actor])
        body = {k: (actors["student"].pk if v == "STUDENT" else v) for k, v in data.items()}
        before = _state()
        response = client.post(url, body)
        code = response.status_code
        login = code == 302 and response.url.startswith(reverse("accounts:login"))
        if want == DENIED:
            assert code in (401, 403, 404) or login, f"{actor} POST {url}: {code}"
            assert _state() == before, f"{actor} POST {url} changed something"
        else:
            assert code not in (401, 403, 404, 500) and not login, f"{actor} POST {url}: {code}"

"""The page cache (seqlab/core/pagecache.py): a kept page comes back only while nothing it shows
has changed, only to the session it was built for, and never for staff views or pending messages."""
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings as hsettings, strategies as st

from seqlab.core import pagecache
from seqlab.courses.models import Offering
from seqlab.submissions.services import submission_create, submission_grade

pytestmark = pytest.mark.django_db


def _queries(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return response, [q["sql"] for q in queries.captured_queries]


def _reads(sql: list[str], table: str) -> bool:
    return any(f'"{table}"' in q for q in sql)


def _login(user) -> Client:
    """A signed-in browser that already holds its CSRF cookie (from the login page)."""
    client = Client()
    client.force_login(user)
    client.cookies[settings.CSRF_COOKIE_NAME] = "a" * 32
    return client


# ------------------------------------------------------------------ which writes bump what

def test_reads_and_tables_no_page_reads_bump_nothing():
    assert pagecache.keys_touched('SELECT "courses_offering"."id" FROM "courses_offering"') == ()
    assert pagecache.keys_touched('UPDATE "django_session" SET "session_data" = %s WHERE "x" = %s') == ()
    assert pagecache.keys_touched('INSERT INTO "blobs_blob" ("sha256") VALUES (%s)') == ()
    assert pagecache.keys_touched('UPDATE "auth_user" SET "last_login" = %s WHERE "auth_user"."id" = %s') == ()


def test_other_writes_bump_the_site_and_owned_rows_their_student():
    assert pagecache.keys_touched('UPDATE "courses_offering" SET "due_at" = %s') == (pagecache.SITE,)
    assert pagecache.keys_touched('UPDATE "auth_user" SET "is_staff" = %s WHERE "id" = %s') == (pagecache.SITE,)
    assert pagecache.keys_touched('DELETE FROM "courses_membership" WHERE "id" = %s') == (pagecache.SITE,)
    owned = 'UPDATE "submissions_submission" SET "status" = %s WHERE "id" = %s'
    assert pagecache.keys_touched(owned) == (pagecache.SITE,)        # no owner declared: the safe default
    with pagecache.owned_by(7):
        assert pagecache.keys_touched(owned) == (pagecache.user_key(7),)
        assert pagecache.keys_touched('INSERT INTO "gradebook_override" ("x") VALUES (%s)') == (pagecache.SITE,)
    assert pagecache.keys_touched(owned) == (pagecache.SITE,)


@hsettings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_statement_is_classified_without_error(sql):
    keys = pagecache.keys_touched(sql)
    assert isinstance(keys, tuple) and all(k == pagecache.SITE or k.startswith("pagecache:v:user:") for k in keys)


# ------------------------------------------------------------------ pages

def test_a_students_course_page_is_kept_until_the_course_changes(student, offering):
    client = _login(student)
    url = reverse("courses:course", args=[offering.course.slug])
    _, first = _queries(client, url)
    assert _reads(first, "courses_offering")
    kept, again = _queries(client, url)
    assert not _reads(again, "courses_offering") and kept.content == client.get(url).content
    # A change through update() (no model signal) is seen all the same.
    Offering.objects.filter(pk=offering.pk).update(due_at=timezone.now() + timedelta(days=30))
    _, rebuilt = _queries(client, url)
    assert _reads(rebuilt, "courses_offering")


def test_a_result_rebuilds_its_students_pages_only(student, other_student, offering, solution_bytes):
    mine, theirs = _login(student), _login(other_student)
    url = reverse("courses:offering", args=[offering.pk])
    mine.get(url), theirs.get(url)
    sub = submission_create(student=student, offering=offering, filename="adder.py", content=solution_bytes)
    submission_grade(submission_id=sub.id, run=sub.run, worker="test")
    page, rebuilt = _queries(mine, url)
    assert _reads(rebuilt, "submissions_submission") and f"/s/{sub.pk}/" in page.content.decode()
    _, kept = _queries(theirs, url)
    assert not _reads(kept, "submissions_submission")       # another student's result: still kept


def test_the_attempt_page_follows_grading(student, offering, solution_bytes):
    sub = submission_create(student=student, offering=offering, filename="adder.py", content=solution_bytes)
    client = _login(student)
    url = reverse("submissions:detail", args=[sub.pk])
    assert 'hx-trigger="every 1s"' in client.get(url).content.decode()
    submission_grade(submission_id=sub.id, run=sub.run, worker="test")
    assert 'hx-trigger="every 1s"' not in client.get(url).content.decode()


def test_pages_are_kept_per_session_and_language(student, other_student, graded):
    url = reverse("courses:offering", args=[graded.offering_id])
    mine, theirs = _login(student), _login(other_student)
    assert f"/s/{graded.pk}/" in mine.get(url).content.decode()
    assert f"/s/{graded.pk}/" not in theirs.get(url).content.decode()
    korean = mine.get(url, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    mine.cookies["django_language"] = "en"
    english = mine.get(url).content.decode()
    assert 'lang="ko"' in korean and 'lang="en"' in english


def test_staff_pages_are_never_kept(ta, student, graded):
    client = _login(ta)
    for url in (reverse("courses:offering", args=[graded.offering_id]), reverse("submissions:detail", args=[graded.pk])):
        client.get(url)
        _, again = _queries(client, url)
        assert _reads(again, "submissions_submission")


def test_a_page_with_a_message_waiting_is_built_and_not_kept(student, offering):
    client = _login(student)
    url = reverse("courses:offering", args=[offering.pk])
    client.get(url)
    # A refused upload leaves a message for the next page: that page is built, not taken from the cache.
    response = client.post(reverse("submissions:submit", args=[offering.pk]), {}, follow=True)
    assert response.status_code == 200 and "msg error" in response.content.decode()
    assert "msg error" not in client.get(url).content.decode()     # shown once, not kept with the page


def test_a_page_built_without_the_csrf_cookie_is_not_kept(student, offering):
    client = Client()
    client.force_login(student)
    url = reverse("courses:offering", args=[offering.pk])
    client.cookies.pop(settings.CSRF_COOKIE_NAME, None)
    client.get(url)                              # its form's token belongs to a cookie this answer sets
    client.cookies.pop(settings.CSRF_COOKIE_NAME, None)
    _, again = _queries(client, url)
    assert _reads(again, "courses_offering")


def test_without_the_cache_pages_are_still_served(student, offering, monkeypatch):
    client = _login(student)
    url = reverse("courses:offering", args=[offering.pk])

    class Broken:
        def __getattr__(self, name):
            raise ConnectionError("cache down")
    monkeypatch.setattr(pagecache, "_store", Broken)
    assert client.get(url).status_code == 200


def test_a_write_between_reading_the_versions_and_keeping_the_page_drops_it(student, offering, monkeypatch):
    """The stamp is read before the page is built: a change made meanwhile is never hidden."""
    client = _login(student)
    url = reverse("courses:offering", args=[offering.pk])
    from seqlab.courses import views
    real = views.offering_page

    def racing(request, offering_, **kwargs):
        response = real(request, offering_, **kwargs)
        Offering.objects.filter(pk=offering.pk).update(due_at=timezone.now() + timedelta(days=60))
        return response
    monkeypatch.setattr(views, "offering_page", racing)
    client.get(url)
    monkeypatch.setattr(views, "offering_page", real)
    _, again = _queries(client, url)
    assert _reads(again, "courses_offering")


def test_posts_and_anonymous_requests_bypass_it(offering):
    anonymous = Client()
    assert anonymous.get(reverse("courses:offering", args=[offering.pk])).status_code == 302


def test_query_strings_and_big_pages_are_never_kept(student, offering, monkeypatch):
    """What one student can make the cache hold stays bounded: no page per made-up query string,
    none bigger than MAX_PAGE_BYTES."""
    client = _login(student)
    url = reverse("courses:offering", args=[offering.pk])
    for i in range(3):
        client.get(f"{url}?n={i}")
        _, again = _queries(client, f"{url}?n={i}")
        assert _reads(again, "courses_offering")
    monkeypatch.setattr(pagecache, "MAX_PAGE_BYTES", 100)
    client.get(url)
    _, again = _queries(client, url)
    assert _reads(again, "courses_offering")

"""Publishing grades: a preview of what students will see, an explicit confirmation, a visible
change on the student's pages, and labels that say what is actually shown."""
from datetime import timedelta

import pytest
from django.urls import reverse

from seqlab.courses.models import Offering
from seqlab.gradebook.models import AuditEntry
from seqlab.submissions.selectors import feedback_for

pytestmark = pytest.mark.django_db
AFTER_PUBLISHED_NAME = "add: floats"
HIDDEN_NAME = "add: large integers"


def _url(offering):
    return reverse("gradebook:publish", args=[offering.pk])


def _published(offering) -> bool:
    return Offering.objects.get(pk=offering.pk).published_at is not None


def test_the_preview_lists_what_publishing_shows_and_a_students_page_as_it_will_look(
        client, instructor, offering, graded):
    client.force_login(instructor)
    html = client.get(_url(offering), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "shown to every student once the grades are published" in html
    assert AFTER_PUBLISHED_NAME in html            # in the list and on the previewed result page
    assert HIDDEN_NAME not in html                  # the student never sees it, so neither does the preview
    assert "Grades published on" in html and 'name="confirm"' in html
    assert not _published(offering)


def test_the_preview_says_publishing_does_not_show_after_deadline_checks_early(client, instructor, offering, graded):
    client.force_login(instructor)
    html = client.get(_url(offering), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "publishing does not show it earlier" in html
    offering.due_at = offering.release_at + timedelta(minutes=1)
    offering.save()
    html = client.get(_url(offering), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "publishing does not show it earlier" not in html


def test_the_preview_shows_a_chosen_student(client, instructor, offering, graded, other_student):
    client.force_login(instructor)
    html = client.get(_url(offering), {"student": other_student.pk}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "This student has no graded submission yet." in html
    for junk in ("x", "-1", "99999999999999999999999", "²"):
        assert client.get(_url(offering), {"student": junk}).status_code == 200


def test_the_preview_shows_no_student_of_another_course(client, instructor, offering, graded, outsider):
    client.force_login(instructor)
    html = client.get(_url(offering), {"student": outsider.pk}).content.decode()
    assert "outsider" not in html


def test_a_post_without_the_confirmation_changes_nothing_and_shows_the_preview(client, instructor, offering, graded):
    client.force_login(instructor)
    response = client.post(_url(offering), {"publish": "1"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and "Nothing changed" in response.content.decode()
    assert not _published(offering) and not AuditEntry.objects.filter(action="offering.publish").exists()
    client.post(_url(offering), {"publish": "1", "confirm": "on"})
    assert not _published(offering)


def test_publishing_shows_the_checks_and_a_notice_to_the_student(client, instructor, student, offering, graded):
    client.force_login(student)
    before = client.get(reverse("submissions:detail", args=[graded.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert AFTER_PUBLISHED_NAME not in before and "Grades published on" not in before
    client.force_login(instructor)
    assert client.post(_url(offering), {"publish": "1", "confirm": "yes"}).status_code == 302
    assert _published(offering)
    entry = AuditEntry.objects.get(action="offering.publish")
    assert entry.before == {"published_at": None} and entry.after["published_at"]
    client.force_login(student)
    after = client.get(reverse("submissions:detail", args=[graded.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert AFTER_PUBLISHED_NAME in after and "Grades published on" in after and HIDDEN_NAME not in after
    course_page = client.get(reverse("courses:course", args=[offering.course.slug]),
                             HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Grades published" in course_page


def test_a_second_publication_keeps_the_first_date(client, instructor, offering):
    client.force_login(instructor)
    client.post(_url(offering), {"publish": "1", "confirm": "yes"})
    first = Offering.objects.get(pk=offering.pk).published_at
    client.post(_url(offering), {"publish": "1", "confirm": "yes"})
    assert Offering.objects.get(pk=offering.pk).published_at == first
    assert AuditEntry.objects.filter(action="offering.publish").count() == 1


def test_withdrawing_needs_the_confirmation_and_is_audited(client, instructor, student, offering, graded):
    client.force_login(instructor)
    client.post(_url(offering), {"publish": "1", "confirm": "yes"})
    html = client.get(_url(offering), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Withdraw the publication" in html
    client.post(_url(offering), {"publish": "0"})
    assert _published(offering)
    client.post(_url(offering), {"publish": "0", "confirm": "yes"})
    assert not _published(offering)
    assert AuditEntry.objects.filter(action="offering.publish").count() == 2
    assert AuditEntry.objects.filter(action="offering.publish").latest("id").after == {"published_at": None}
    client.force_login(student)
    page = client.get(reverse("submissions:detail", args=[graded.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert AFTER_PUBLISHED_NAME not in page and "Grades published on" not in page


def test_only_the_instructor_publishes(client, ta, student, offering, graded):
    for who in (ta, student):
        client.force_login(who)
        assert client.get(_url(offering)).status_code == 404
        assert client.post(_url(offering), {"publish": "1", "confirm": "yes"}).status_code == 404
    assert not _published(offering)


@pytest.mark.parametrize("published", [False, True])
@pytest.mark.parametrize("past_deadline", [False, True])
def test_the_labels_students_read_agree_with_what_is_shown(client, instructor, student, offering, graded,
                                                           published, past_deadline):
    """Each withheld group's label on the result page and each group on the assignment page."""
    from seqlab.gradebook.services import offering_publish
    if past_deadline:
        offering.due_at = offering.release_at + timedelta(minutes=1)
        offering.save()
    if published:
        offering_publish(actor=instructor, offering=offering)
    feedback = feedback_for(viewer=student, submission=graded)
    shown = {c.visibility for c in feedback.checks if c.shown}
    assert ("after_published" in shown) == published and ("after_due_date" in shown) == past_deadline
    client.force_login(student)
    result = client.get(reverse("submissions:detail", args=[graded.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    page = client.get(reverse("courses:offering", args=[offering.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for visibility, phrase in (("after_published", "Shown when the grades are published"),
                               ("after_due_date", "Shown after the deadline")):
        waiting = visibility not in shown
        assert (phrase in result) == waiting, (visibility, "result page")
        assert (phrase in page) == waiting, (visibility, "assignment page")
    assert ("Shown now" in page) == bool(shown - {"visible"})

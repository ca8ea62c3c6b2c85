"""Similarity reports: rare shared wrong behaviour is strong evidence, correct answers none."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from seqlab.gradebook.models import AuditEntry
from seqlab.insight.models import SimilarityPair, SimilarityRun
from seqlab.insight.services import similarity_compute, similarity_start
from seqlab.insight.similarity import Entry, code_fingerprint, rank_pairs

pytestmark = pytest.mark.django_db


def _source(i: int) -> str:
    # Distinct programs: each student writes their own arithmetic.
    ops = ["+", "-", "*", "//", "%", "**"]
    body = "\n".join(f"    v{j} = a {ops[(i + j) % 6]} {i * 7 + j}" for j in range(i % 5 + 2))
    return f"def add_{i}(a, b):\n{body}\n    return v0 {ops[i % 6]} b * {i}\n\ndef helper_{i}(x):\n    return [x] * {i + 3}\n"


def _entries(features: dict[int, set[str]], n: int = 20, sources=None) -> list[Entry]:
    entries = []
    for i in range(n):
        e = Entry(i, i, True, (sources or {}).get(i, _source(i)), features.get(i, set()))
        e.code = code_fingerprint(e.source)
        entries.append(e)
    return entries


def _rank(pairs, a, b):
    return next(k for k, p in enumerate(pairs) if {p.first, p.second} == {a, b})


def test_a_rare_shared_wrong_answer_outranks_a_common_mistake():
    features = {0: {"w:rare"}, 1: {"w:rare"}} | {i: {"m:common"} for i in range(2, 12)}
    pairs = rank_pairs(_entries(features), top=500)
    rare = pairs[_rank(pairs, 0, 1)]
    common = pairs[_rank(pairs, 2, 3)]
    assert rare.behaviour == pytest.approx(1.0) and common.behaviour < 0.35
    assert _rank(pairs, 0, 1) == 0 and rare.shared == ["w:rare"]


def test_two_correct_submissions_share_no_behaviour():
    pairs = rank_pairs(_entries({}), top=500)
    assert all(p.behaviour == 0 for p in pairs)


def test_pairs_of_one_student_and_pairs_of_two_earlier_submissions_are_not_reported():
    entries = _entries({0: {"w:x"}, 1: {"w:x"}, 2: {"w:x"}}, n=6)
    entries[1].student = entries[0].student
    entries[2].current = entries[3].current = False
    entries[3].features = {"w:x"}
    found = {frozenset((p.first, p.second)) for p in rank_pairs(entries, top=500)}
    assert frozenset((0, 1)) not in found and frozenset((2, 3)) not in found and frozenset((0, 2)) in found


@pytest.fixture
def reported(students, attempt, instructor, offering, django_capture_on_commit_callbacks):
    """Two students share a rare wrong answer; two others are both correct; a fifth is alone."""
    a, b, c, d, e = students(5)
    rare = {"1.2": "add(-1, 2): expected 1, got -3.1415"}
    attempt(a, outputs=rare, content=b"def add(a, b):\n    return -(a + b) - 0.1415\n")
    attempt(b, outputs=rare, content=b"def add(x, y):\n    s = x + y\n    return -s - 0.1415\n")
    attempt(c, content=b"def add(a, b):\n    return a + b\n")
    attempt(d, content=b"def add(a, b):\n    total = a\n    total += b\n    return total\n")
    attempt(e, {"2.1": ["adder/int"]}, content=b"def add(a, b):\n    return int(a + b)\n")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        run = similarity_start(actor=instructor, offering=offering, earlier_terms=True)
    assert len(queued) == 1                       # the task is queued only once the run is committed
    return similarity_compute(run_id=run.pk), (a, b, c, d, e)


def test_report_puts_the_shared_rare_wrong_answer_first_with_its_evidence(reported):
    run, (a, b, *_rest) = reported
    top = run.pairs.first()
    assert {top.first.student, top.second.student} == {a, b}
    assert top.evidence["wrong"] and "got -3.1" in top.evidence["wrong"][0]
    assert AuditEntry.objects.filter(action="similarity.start").count() == 1


def test_the_task_can_be_delivered_twice(reported):
    run, _ = reported
    assert similarity_compute(run_id=run.pk) is None           # finished: nothing redone
    SimilarityRun.objects.filter(pk=run.pk).update(status="running")   # a worker died mid-run
    again = similarity_compute(run_id=run.pk)
    assert again.status == "done" and again.pairs.count() == run.pairs.count()


def test_earlier_terms_keep_their_fingerprints_and_are_compared(reported, django_user_model, instructor, attempt,
                                                              adder, offering, django_capture_on_commit_callbacks):
    from seqlab.courses.services import course_create, membership_set, offering_save
    _run, (a, *_rest) = reported
    old_course = course_create(slug="seq-old", title_ko="옛 과목", title_en="Old", term="2024-2")
    membership_set(course=old_course, user=instructor, role="instructor")
    old = offering_save(actor=instructor, course=old_course, assignment=adder,
                        release_at=timezone.now() - timedelta(days=400), due_at=timezone.now() + timedelta(days=1), cooldown_seconds=0)
    alumnus = django_user_model.objects.create_user(username="alumnus", password="pw")
    membership_set(course=old_course, user=alumnus, role="student")
    attempt(alumnus, on=old, outputs={"1.2": "add(-1, 2): expected 1, got -3.1415"},
            content=b"def add(p, q):\n    return -(p + q) - 0.1415\n")
    with django_capture_on_commit_callbacks(execute=False):
        run = similarity_start(actor=instructor, offering=offering, earlier_terms=True)
    pairs = similarity_compute(run_id=run.pk).pairs.select_related("first__student", "second__student")
    assert any({p.first.student.username, p.second.student.username} == {"alumnus", a.username} for p in pairs)
    with django_capture_on_commit_callbacks(execute=False):
        run = similarity_start(actor=instructor, offering=offering, earlier_terms=False)
    assert not any("alumnus" in (p.first.student.username, p.second.student.username)
                   for p in similarity_compute(run_id=run.pk).pairs.select_related("first__student", "second__student"))


def test_earlier_terms_are_for_instructors_a_ta_sees_this_courses_students_only(
        reported, django_user_model, instructor, ta, client, attempt, adder, offering, django_capture_on_commit_callbacks):
    from seqlab.courses.services import course_create, membership_set, offering_save
    _run, (a, *_rest) = reported
    old_course = course_create(slug="seq-old", title_ko="옛 과목", title_en="Old", term="2024-2")
    membership_set(course=old_course, user=instructor, role="instructor")
    old = offering_save(actor=instructor, course=old_course, assignment=adder, cooldown_seconds=0,
                        release_at=timezone.now() - timedelta(days=400), due_at=timezone.now() + timedelta(days=1))
    alumnus = django_user_model.objects.create_user(username="alumnus", password="pw")
    membership_set(course=old_course, user=alumnus, role="student")
    attempt(alumnus, on=old, outputs={"1.2": "add(-1, 2): expected 1, got -3.1415"},
            content=b"def add(p, q):\n    return -(p + q) - 0.1415\n")
    client.force_login(ta)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("insight:similarity_start", args=[offering.pk]), {"earlier_terms": "1"})
    assert SimilarityRun.objects.order_by("-pk").first().earlier_terms is False
    with django_capture_on_commit_callbacks(execute=False):
        run = similarity_start(actor=instructor, offering=offering, earlier_terms=True)
    run = similarity_compute(run_id=run.pk)
    other_term = next(p for p in run.pairs.select_related("first__student", "second__student")
                      if "alumnus" in (p.first.student.username, p.second.student.username))
    assert client.get(reverse("insight:pair", args=[other_term.pk])).status_code == 404
    assert "alumnus" not in client.get(reverse("insight:similarity", args=[offering.pk])).content.decode()
    client.force_login(instructor)
    assert client.get(reverse("insight:pair", args=[other_term.pk])).status_code == 200


def test_ta_sees_the_pair_side_by_side_and_the_decision_is_audited(reported, client, ta, student):
    run, _ = reported
    pair = run.pairs.first()
    client.force_login(ta)
    page = client.get(reverse("insight:pair", args=[pair.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and 'id="diff"' in html and "return -s - 0.1415" in html
    response = client.post(reverse("insight:pair_decide", args=[pair.pk]), {"decision": "referred",
                                                                            "comment": "same digits"})
    assert response.status_code == 302
    pair.refresh_from_db()
    assert pair.decision == "referred" and pair.decided_by == ta
    entry = AuditEntry.objects.get(action="similarity.referred")
    assert entry.actor == ta and entry.comment == "same digits" and entry.after["decision"] == "referred"


def test_students_can_neither_see_nor_decide_a_pair(reported, client, student, other_ta):
    run, _ = reported
    pair = run.pairs.first()
    for user in (student, other_ta):
        client.force_login(user)
        assert client.get(reverse("insight:pair", args=[pair.pk])).status_code == 404
        assert client.post(reverse("insight:pair_decide", args=[pair.pk]), {"decision": "dismissed"}).status_code == 404
        assert client.post(reverse("insight:similarity_start", args=[run.offering_id])).status_code == 404
    assert SimilarityPair.objects.get(pk=pair.pk).decision == ""


def test_hostile_source_is_shown_escaped(students, attempt, offering, ta, client, instructor,
                                         django_capture_on_commit_callbacks):
    a, b = students(2)
    hostile = b"def add(a, b):\n    return a + b  # </td><script>alert(1)</script>\n"
    attempt(a, outputs={"1.1": "boom"}, content=hostile)
    attempt(b, outputs={"1.1": "boom"}, content=hostile + b"\n")
    with django_capture_on_commit_callbacks(execute=False):
        run = similarity_start(actor=instructor, offering=offering)
    pair = similarity_compute(run_id=run.pk).pairs.first()
    client.force_login(ta)
    html = client.get(reverse("insight:pair", args=[pair.pk])).content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


def test_progress_fragment_and_report_page(reported, client, ta):
    run, _ = reported
    client.force_login(ta)
    fragment = client.get(reverse("insight:similarity_progress", args=[run.pk])).content.decode()
    assert 'role="progressbar"' in fragment and 'aria-valuenow="100"' in fragment
    page = client.get(reverse("insight:similarity", args=[run.offering_id])).content.decode()
    assert 'id="pairs"' in page and reverse("insight:pair", args=[run.pairs.first().pk]) in page


def test_a_failing_report_is_marked_failed_with_its_reason(students, attempt, instructor, offering, monkeypatch,
                                                          django_capture_on_commit_callbacks):
    from seqlab.insight import similarity
    from seqlab.insight.tasks import similarity_task
    for s in students(3):
        attempt(s, outputs={"1.1": "boom"})
    with django_capture_on_commit_callbacks(execute=False):
        run = similarity_start(actor=instructor, offering=offering)

    def broken(*args, **kwargs):
        raise MemoryError("out of memory")
    monkeypatch.setattr(similarity, "rank_pairs", broken)
    with pytest.raises(MemoryError):
        similarity_task(run.pk)
    run.refresh_from_db()
    assert run.status == "failed" and "MemoryError: out of memory" in run.error and not run.pairs.exists()

"""Wrong outputs as the engine hashed them: the similarity report's "same wrong output" evidence."""
import pytest
from django.urls import reverse

from seqlab.insight.fingerprints import fingerprint_of, output_features
from seqlab.insight.models import Fingerprint
from seqlab.insight.services import similarity_compute, similarity_start

pytestmark = pytest.mark.django_db
H = {name: f"{i:016x}" for i, name in enumerate(["copied", "copied_alt", "other", "other_alt", "near", "x", "y"],
                                                 start=0xA0)}


def _test(number, output, hashes=None, status="failed"):
    extra = {"output_hashes": hashes} if hashes is not None else {}
    return {"number": number, "name": f"check {number}", "status": status, "output": output, "extra_data": extra}


def test_a_check_with_output_hashes_gives_outputs_not_a_report_hash():
    tests = [_test("2.3", "weights: 3 of 20 values differ (largest error 0.41)",
                   [{"what": "weights", "hash": H["copied"], "alt": H["copied_alt"]}]),
             _test("2.4", "out: 1 of 5 values differ (largest error 0.2)")]
    found = fingerprint_of(tests, [])
    assert found["outputs"] == [{"check": "2.3", "what": "weights", "hashes": [H["copied"], H["copied_alt"]],
                                 "report": "2.3: weights: 3 of 20 values differ (largest error 0.41)"}]
    assert len(found["wrong"]) == 1                 # 2.4 has no hashes (graded before): its report stands in


def test_malformed_or_passed_hashes_are_ignored():
    tests = [_test("1.1", "x", [{"what": "a", "hash": "zz", "alt": H["x"]}, "junk", {"hash": H["x"]}]),
             _test("1.2", "", [{"what": "a", "hash": H["x"], "alt": H["y"]}], status="passed"),
             {"number": "1.3", "status": "failed", "output": "y", "extra_data": {"output_hashes": "not a list"}}]
    assert fingerprint_of(tests, [])["outputs"] == []


def _out(check, what, h, alt):
    return {"check": check, "what": what, "hashes": [h, alt], "report": f"{check}: report"}


def test_outputs_meet_on_either_grid_and_classes_do_not_depend_on_order():
    a = [_out("2.3", "weights", H["copied"], H["copied_alt"])]
    b = [_out("2.3", "weights", H["near"], H["copied_alt"])]          # across a boundary of the first grid
    c = [_out("2.3", "weights", H["other"], H["other_alt"])]
    d = [_out("2.4", "weights", H["copied"], H["copied_alt"])]        # same hash, another check: another output
    features = output_features([a, b, c, d])
    assert set(features[0]) == set(features[1])
    assert not set(features[0]) & set(features[2]) and not set(features[0]) & set(features[3])
    again = output_features([c, d, b, a])
    assert set(again[3]) == set(features[0]) and set(again[0]) == set(features[2])


@pytest.fixture
def report(students, attempt, instructor, offering, django_capture_on_commit_callbacks):
    """a and b return the same rare wrong tensor (b's report words it differently, e.g. another
    case failed first); c and d return different wrong tensors whose reports read the same; ten
    others share a common wrong output."""
    a, b, c, d, *crowd = students(14)
    same = [("add(x, y)", H["copied"], H["copied_alt"])]
    attempt(a, hashes={"1.2": same}, outputs={"1.2": "add(x, y): 4 of 4 values differ (largest error 2.5)"},
            content=b"def add(a, b):\n    return a - b\n")
    attempt(b, hashes={"1.2": same}, outputs={"1.2": "add(x, y): 4 of 4 values differ (largest error 2.6)"},
            content=b"def add(x, y):\n    z = x - y\n    return z\n")
    for student, h in ((c, "x"), (d, "y")):
        attempt(student, hashes={"1.2": [("add(x, y)", H[h], H[h][::-1])]},
                outputs={"1.2": "add(x, y): 4 of 4 values differ (largest error 9)"})
    for student in crowd:
        attempt(student, hashes={"2.1": [("add(0.1, 0.2)", H["other"], H["other_alt"])]},
                outputs={"2.1": "add(0.1, 0.2): 1 of 1 values differ"})
    with django_capture_on_commit_callbacks(execute=False):
        run = similarity_start(actor=instructor, offering=offering, earlier_terms=False)
    return similarity_compute(run_id=run.pk), (a, b, c, d)


def test_the_pair_sharing_a_rare_wrong_output_ranks_first_and_reports_do_not_decide(report):
    run, (a, b, c, d) = report
    assert Fingerprint.objects.get(submission__student=a).outputs[0]["hashes"] == [H["copied"], H["copied_alt"]]
    pairs = list(run.pairs.select_related("first__student", "second__student"))
    top = pairs[0]
    assert {top.first.student, top.second.student} == {a, b} and top.behaviour == pytest.approx(1.0)
    assert top.evidence["outputs"][0]["check"] == "1.2" and top.evidence["outputs"][0]["what"] == "add(x, y)"
    assert {top.evidence["outputs"][0]["first"], top.evidence["outputs"][0]["second"]} == {
        "1.2: add(x, y): 4 of 4 values differ (largest error 2.5)",
        "1.2: add(x, y): 4 of 4 values differ (largest error 2.6)"}
    assert top.evidence["wrong"] == [] and top.wrong_count == 1
    same_report = next((p for p in pairs if {p.first.student, p.second.student} == {c, d}), None)
    assert same_report is None or same_report.behaviour == 0         # equal reports, different tensors
    crowd = [p for p in pairs if p.behaviour and {p.first.student, p.second.student}.isdisjoint({a, b, c, d})]
    assert crowd and all(p.behaviour < top.behaviour / 2 for p in crowd)   # common: weak evidence


def test_the_pair_page_shows_the_output_and_both_reports_side_by_side(report, client, ta):
    run, (a, b, *_rest) = report
    pair = run.pairs.first()
    client.force_login(ta)
    html = client.get(reverse("insight:pair", args=[pair.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="outputs"' in html and "same wrong output on check 1.2 (add(x, y))" in html
    assert "largest error 2.5" in html and "largest error 2.6" in html
    assert H["copied"] not in html                                   # hashes are data, not evidence to read
    korean = client.get(reverse("insight:pair", args=[pair.pk]), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "항목 1.2에서 같은 오답 출력 (add(x, y))" in korean
    listing = client.get(reverse("insight:similarity", args=[run.offering_id]), HTTP_ACCEPT_LANGUAGE="en")
    assert "1 wrong output" in listing.content.decode()


def test_the_student_sees_neither_hashes_nor_evidence(report, client):
    run, (a, *_rest) = report
    sub = Fingerprint.objects.get(submission__student=a).submission
    client.force_login(a)
    for url in (reverse("submissions:detail", args=[sub.pk]), reverse("api:submission", args=[sub.pk])):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, url
        assert H["copied"] not in response.content.decode() and "output_hashes" not in response.content.decode()


def test_a_pair_stored_before_output_hashes_still_renders_its_reports(report, client, ta):
    run, _ = report
    pair = run.pairs.first()
    pair.evidence = {"mistakes": [], "wrong": ["1.2: add(-1, 2): expected 1, got -3.1"], "errors": []}
    pair.save(update_fields=["evidence"])
    client.force_login(ta)
    html = client.get(reverse("insight:pair", args=[pair.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "got -3.1" in html and 'id="outputs"' not in html
    listing = client.get(reverse("insight:similarity", args=[run.offering_id]), HTTP_ACCEPT_LANGUAGE="en")
    assert listing.status_code == 200 and "1 wrong output" in listing.content.decode()

"""Diagnoses as data: every named mistake of a stored result becomes a row, once."""
import pytest
from django.core.management import call_command

from seqlab.insight.models import Diagnosis, Fingerprint
from seqlab.submissions.models import Result
from seqlab.submissions.services import result_store, submission_regrade
from tests.web.insight.conftest import make_result

pytestmark = pytest.mark.django_db


def test_result_naming_mistakes_by_the_contract_is_stored_as_diagnoses(student, attempt):
    sub = attempt(student, {"1.1": ["adder/sign"], "2.1": ["adder/sign", "adder/int"]})
    rows = {(d.mistake, d.check_key): d for d in Diagnosis.objects.filter(submission=sub)}
    assert set(rows) == {("adder/sign", "1.1"), ("adder/sign", "2.1"), ("adder/int", "2.1")}
    sign = rows[("adder/sign", "1.1")]
    assert (sign.text_ko, sign.text_en) == ("부호가 반대입니다", "the sign is flipped: a - b instead of a + b")
    assert sign.points_lost == 2.0 and sign.check_name == "adds two numbers"
    assert sign.student == student and sign.number == 1 and sign.offering == sub.offering
    assert sign.result == sub.current_result and sign.submitted_at == sub.submitted_at


def test_passed_checks_and_an_unnamed_failure_record_no_diagnosis_but_a_fingerprint(student, attempt):
    sub = attempt(student, outputs={"1.2": "add raised TypeError: unsupported operand"})
    assert not Diagnosis.objects.filter(submission=sub).exists()
    fp = Fingerprint.objects.get(submission=sub)
    assert fp.mistakes == [] and len(fp.wrong) == 1 and len(fp.errors) == 1
    assert "TypeError: unsupported operand" in fp.evidence.values()


def test_a_new_run_replaces_the_diagnoses_instead_of_adding_to_them(student, instructor, attempt):
    sub = attempt(student, {"1.1": ["adder/sign"]})
    sub = submission_regrade(actor=instructor, submission=sub)
    result_store(submission=sub, run=sub.run, result=make_result({"1.2": ["adder/int"]}))
    assert list(Diagnosis.objects.filter(submission=sub).values_list("mistake", "check_key")) == [("adder/int", "1.2")]


def test_hostile_mistake_entries_are_skipped_or_bounded(student, offering, attempt):
    sub = attempt(student)
    result = sub.current_result
    result.tests[0]["status"] = "failed"
    result.tests[0]["extra_data"]["mistakes"] = ["not an object", {"id": ""}, {"id": 7},
                                                 {"id": "x" * 10_000, "en": "y" * 100_000}] + [{"id": f"m{i}"} for i in range(500)]
    result.save()
    from seqlab.insight.services import diagnoses_record
    rows = diagnoses_record(result=result)
    assert len(rows) == 20                          # at most 20 per check
    assert max(len(r.mistake) for r in rows) == 120 and max(len(r.text_en) for r in rows) == 2000


def test_legacy_results_get_ids_from_the_assignments_mistake_messages(attention_offering, student, attempt):
    from seqlab.insight.services import diagnoses_record
    sub = attempt(student, on=attention_offering, legacy=True, outputs={
        "1.1": "scaled_dot_product_attention: weights: 30 of 30 values differ (largest error 0.287); "
               "the scores are not divided by sqrt(d_k): use softmax(q k^T / sqrt(d_k))",
        "1.2": "the mask (4, 4) is smaller than the scores (2, 4, 4); a mask only has to broadcast to them: "
               "masked_fill and torch.where broadcast, boolean indexing (scores[~mask] = ...) does not"})
    diagnoses_record(result=sub.current_result)
    assert set(Diagnosis.objects.filter(submission=sub).values_list("mistake", "check_key")) == {
        ("attention/no-scale", "1.1"), ("attention/mask-no-broadcast", "1.2")}


def test_backfill_records_results_stored_before_insight(student, other_student, attempt, capsys):
    attempt(student, {"1.1": ["adder/sign"]})
    attempt(other_student, {"2.1": ["adder/int"]})
    Diagnosis.objects.all().delete()
    Fingerprint.objects.all().delete()
    call_command("insight_backfill")
    assert Diagnosis.objects.count() == 2 and Fingerprint.objects.count() == 2
    assert "2 results read, 2 diagnoses recorded" in capsys.readouterr().out
    call_command("insight_backfill")                # idempotent
    assert Diagnosis.objects.count() == 2


def test_a_fault_while_recording_diagnoses_never_costs_the_student_their_result(student, attempt, monkeypatch):
    from seqlab.insight import services

    def broken(**kwargs):
        raise RuntimeError("bug in insight")
    monkeypatch.setattr(services, "named_mistakes", broken)
    sub = attempt(student, {"1.1": ["adder/sign"]})
    assert sub.status == "graded" and Result.objects.filter(submission=sub).count() == 1
    assert not Diagnosis.objects.exists()

"""Proof on real behaviour: a class of synthetic students built from the attention corpus
(tests/content/attention/), graded by the real engine.

Every independent student submits a different corpus file; each copier submits a classmate's
file disguised (locals renamed, functions reordered, reformatted, docstrings dropped). The map
must count exactly what the attempts show, and every planted copy pair must rank above every
independent pair whose two members earned the same score.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from graders.contracts import Job
from seqlab.insight.mistakes import named_mistakes
from seqlab.insight.models import Diagnosis
from seqlab.insight.selectors import misconception_map
from seqlab.submissions.models import Submission
from seqlab.submissions.services import result_store, submission_create
from tests.web.insight.synthetic import disguise

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[3]
ASSIGNMENT = ROOT / "assignments" / "attention"
CORPUS = ROOT / "tests" / "content" / "attention"
MISTAKE_SOURCE = (ASSIGNMENT / "tests" / "mistakes.py").read_text()
COPIED = ("no_scale", "inverted_mask", "mha_key_uses_W_q", "causal_strict", "additive_no_tanh",
          "mask_no_broadcast", "swapped_pair", "nan_rows", "mha_split_no_transpose")
_graded: dict[bytes, object] = {}


@pytest.fixture(scope="module")
def grade(engine):
    """Grade source text with the real engine, once per distinct text."""
    def run(source: str):
        content = source.encode()
        if content not in _graded:
            _graded[content] = engine.grade(Job(assignment_dir=str(ASSIGNMENT), filename="attention.py",
                                                content=content))
        return _graded[content]
    return run


def corpus(name: str) -> str:
    return (CORPUS / f"{name}.py").read_text()


@pytest.fixture
def submit(attention_offering, grade):
    def store(student, source: str, days_before: float = 1.0):
        sub = submission_create(student=student, offering=attention_offering, filename="attention.py",
                                content=source.encode())
        Submission.objects.filter(pk=sub.pk).update(submitted_at=attention_offering.due_at.replace(microsecond=0)
                                                    - __import__("datetime").timedelta(days=days_before))
        sub.refresh_from_db()
        result_store(submission=sub, run=sub.run, result=grade(source))
        sub.refresh_from_db()
        return sub
    return store


def ids_of(result) -> set[str]:
    data = result.to_json(with_artifacts=False)
    return {n.mistake for n in named_mistakes(tests=data["tests"], slug="attention", legacy_source=MISTAKE_SOURCE)}


MAP_FILES = ("no_scale", "inverted_mask", "softmax_over_queries", "mha_key_uses_W_q", "nan_rows", "causal_strict")


def test_map_counts_what_the_real_results_show(attention_offering, students, submit, grade):
    """Per mistake file: one student keeps it, one fixes it next time, one after two more tries."""
    histories = {}
    for name in MAP_FILES:
        keeps, fixes, slow = students(3, prefix=f"{name}-")
        histories[keeps] = [corpus(name)]
        histories[fixes] = [corpus(name), corpus("correct_einsum")]
        histories[slow] = [corpus(name), corpus(name), corpus("correct_loops")]
    for extra in students(4, prefix="clean-"):
        histories[extra] = [corpus("correct_manual_softmax")]
    for student, sources in histories.items():
        for i, source in enumerate(sources):
            submit(student, source, days_before=3 - i)

    assert "attention/no-scale" in ids_of(grade(corpus("no_scale")))
    assert not ids_of(grade(corpus("correct_einsum"))) and not ids_of(grade(corpus("correct_loops")))
    now, ever, fix_attempts = defaultdict(int), defaultdict(int), defaultdict(list)
    for sources in histories.values():
        seen = [ids_of(grade(s)) for s in sources]
        for mistake in set().union(*seen):
            ever[mistake] += 1
            if mistake in seen[-1]:
                now[mistake] += 1
            else:
                first = next(i for i, s in enumerate(seen) if mistake in s)
                fix_attempts[mistake].append(next(i for i in range(first, len(seen)) if mistake not in seen[i]) - first)
    themap = misconception_map(offering=attention_offering)
    assert themap.students == len(histories) == 22
    rows = {r.mistake: r for r in themap.rows}
    assert set(rows) == set(ever) and len(rows) >= len(MAP_FILES)
    for mistake, row in rows.items():
        assert (row.students, row.ever, row.fixed) == (now[mistake], ever[mistake], len(fix_attempts[mistake])), mistake
        assert row.attempts_to_fix == pytest.approx(sum(fix_attempts[mistake]) / len(fix_attempts[mistake]))
    assert rows["attention/no-scale"].students == 1 and rows["attention/no-scale"].attempts_to_fix == 1.5
    assert Diagnosis.objects.filter(offering=attention_offering).values("student").distinct().count() == 18


def test_every_copy_pair_ranks_above_every_independent_pair_with_the_same_score(
        attention_offering, students, submit, grade, instructor, django_capture_on_commit_callbacks):
    from seqlab.insight.services import similarity_compute, similarity_start
    names = sorted(p.stem for p in CORPUS.glob("*.py"))
    independents = dict(zip(students(len(names), prefix="ind-"), names))
    subs, origin = {}, {}
    for student, name in independents.items():
        subs[student.pk] = submit(student, corpus(name))
        origin[student.pk] = name
    copy_pairs = set()
    by_name = {name: student for student, name in independents.items()}
    for i, (copier, name) in enumerate(zip(students(len(COPIED), prefix="copy-"), COPIED)):
        disguised = disguise(corpus(name), seed=i)
        assert disguised != corpus(name)
        subs[copier.pk] = submit(copier, disguised)
        assert subs[copier.pk].current_result.score == subs[by_name[name].pk].current_result.score
        copy_pairs.add(frozenset((subs[copier.pk].pk, subs[by_name[name].pk].pk)))

    with django_capture_on_commit_callbacks(execute=False):
        run = similarity_start(actor=instructor, offering=attention_offering, earlier_terms=False)
    run = similarity_compute(run_id=run.pk)
    assert run.status == "done" and run.done == run.total
    ranked = {frozenset((p.first_id, p.second_id)): p for p in run.pairs.all()}
    score_of = {s.pk: s.current_result.score for s in subs.values()}
    copies = [ranked[pair] for pair in copy_pairs]              # every copy pair is reported
    for pair in copies:
        assert pair.source > 0.8, pair.evidence                  # copydetect sees through the disguise
        assert pair.behaviour > 0.9
        # The engine hashed the wrong tensors: the copy returns the same ones as its original.
        hashed = [t["number"] for t in pair.first.current_result.tests if t["extra_data"].get("output_hashes")]
        assert {o["check"] for o in pair.evidence["outputs"]} == set(hashed), (pair.evidence, hashed)
    assert sum(bool(p.evidence["outputs"]) for p in copies) >= len(copies) // 2
    copier_subs = {s.pk for s in subs.values() if s.student.username.startswith("copy-")}
    same_score_independents = [p for key, p in ranked.items()
                               if not key & copier_subs and score_of[p.first_id] == score_of[p.second_id]]
    assert same_score_independents, "the class must hold independent pairs with equal scores"
    worst_copy = max(p.rank for p in copies)
    best_independent = min(p.rank for p in same_score_independents)
    assert worst_copy < best_independent, (worst_copy, best_independent)

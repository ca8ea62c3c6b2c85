"""Grade seq2seq-train content files through the real engine.

Each correct submission trains for real (tens of seconds on one CPU thread), so the set is
small: the reference (a GRU with attention) and a Transformer earn full marks; a train()
that never trains keeps only the interface checks, with the missing EOS named; a train()
that raises at its first step loses every check that needs the trained model, each saying why.
"""
from pathlib import Path

import pytest

from graders.contracts import Job
from tests.content.naming import is_named

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = ROOT / "assignments" / "seq2seq-train"
FILES = Path(__file__).resolve().parent / "seq2seq_train"
POINTS = 20

BUILD = "build_model returns an nn.Module with parameters, for any vocabulary sizes"
UNTRAINED = "generate on an untrained model: a (B, n) LongTensor of target ids, n <= max_len"
TRAIN = "train updates the model on 200 batches within the time budget"
LOSS = "report(step, loss) shows the training loss going down"
ACCURACY = "exact match on 1,000 hidden strings (bands: 95%, 80%, 50%, 20%)"


def _grade(engine, path):
    return engine.grade(Job(assignment_dir=str(ASSIGNMENT), filename="train.py", content=path.read_bytes()))


def _failed(result):
    return {t.name: t.output for t in result.tests if t.status != "passed"}


def test_every_content_file_is_covered():
    assert {p.stem for p in FILES.glob("*.py")} == {"correct_transformer", "no_training", "loss_on_wrong_axis"}


@pytest.mark.slow
def test_reference_learns_within_the_budget_and_starter_earns_nothing(engine):
    reference = _grade(engine, ROOT / "reference" / "seq2seq_train.py")
    starter = _grade(engine, ASSIGNMENT / "starter" / "train.py")
    assert _failed(reference) == {}
    assert reference.score == reference.max_score == POINTS
    assert {a.name for a in reference.artifacts} == {"learning-curve.png", "exact-match-by-length.png"}
    assert starter.score == 0
    assert all("NotImplementedError" in t.output for t in starter.tests)


@pytest.mark.slow
def test_a_transformer_learns_within_the_budget(engine):
    result = _grade(engine, FILES / "correct_transformer.py")
    assert _failed(result) == {}
    assert result.score == POINTS


def test_train_that_trains_nothing_keeps_only_the_interface_points(engine):
    result = _grade(engine, FILES / "no_training.py")
    failed = _failed(result)
    tests = {t.name: t for t in result.tests}
    assert set(failed) == {TRAIN, LOSS, ACCURACY}
    assert is_named(tests[TRAIN], "seq2seq-train/nothing-trained")
    assert is_named(tests[LOSS], "seq2seq-train/report-too-rare") and "called 0 times" in failed[LOSS]
    # What an untrained model generates depends on its random start (the sandbox's own seed): either
    # it never ends a row with EOS, or it ends them at once; the diagnosis names whichever it is.
    assert "exact match 0.0%" in failed[ACCURACY]
    assert any(is_named(tests[ACCURACY], f"seq2seq-train/{m}") for m in ("generate-no-eos", "answers-cut-short"))
    assert result.score == 3


def test_train_that_raises_costs_every_check_of_the_trained_model(engine):
    result = _grade(engine, FILES / "loss_on_wrong_axis.py")
    failed = _failed(result)
    assert set(failed) == {TRAIN, LOSS, ACCURACY}
    assert "train raised RuntimeError" in failed[TRAIN]
    assert "no losses to judge: train() did not finish" in failed[LOSS]
    assert "no trained model to evaluate: train() did not finish" in failed[ACCURACY]
    assert result.score == 3

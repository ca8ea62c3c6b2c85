"""Quizzes grade answers.json with tolerance and choices; written parts wait for a TA."""
import json

import pytest

from graders.assignment import AssignmentError, load_assignment
from graders.cli import soundness_problems
from graders.contracts import Job

QUIZ = '''
title = { ko = "퀴즈", en = "Quiz" }
kind = "quiz"
points = 5

[[questions]]
id = "softmax-1-0"
type = "numeric"
points = 3
atol = 5e-6
rtol = 0
answer = 0.00089
prompt = { ko = "softmax[1][0]의 값은?", en = "What is softmax[1][0]?" }

[[questions]]
id = "scale"
type = "choice"
points = 2
answer = "b"
choices = [{ id = "a", ko = "d_v", en = "d_v" }, { id = "b", ko = "sqrt(d_k)", en = "sqrt(d_k)" }]
prompt = { ko = "점수를 무엇으로 나누나요?", en = "What are scores divided by?" }
'''

WRITTEN = '''
title = { ko = "서술형", en = "Written" }
kind = "written"

[[questions]]
id = "why-attention"
points = 4
prompt = { ko = "어텐션이 왜 필요한가?", en = "Why is attention needed?" }
rubric = [{ points = 2, ko = "병목", en = "bottleneck of a fixed vector" }, { points = 2, ko = "정렬", en = "alignment" }]
'''


def folder(tmp_path, toml):
    (tmp_path / "assignment.toml").write_text(toml)
    (tmp_path / "README.ko.md").write_text("# 퀴즈")
    (tmp_path / "README.en.md").write_text("# Quiz")
    return tmp_path


def grade(engine, path, answers):
    data = answers if isinstance(answers, bytes) else json.dumps(answers).encode()
    return engine.grade(Job(str(path), "answers.json", data))


@pytest.mark.parametrize("answers, score", [
    ({"softmax-1-0": "0.00089", "scale": "b"}, 5),
    ({"softmax-1-0": 0.000893, "scale": ["b"]}, 5),
    ({"softmax-1-0": "0.06084", "scale": "b"}, 2),         # the lecture notes' slip earns nothing
    ({"softmax-1-0": "nan", "scale": "a"}, 0),
    ({"answers": {"softmax-1-0": "8.9e-4"}}, 3),
    ({}, 0),
])
def test_quiz_answers_are_graded_with_tolerance(engine, tmp_path, answers, score):
    assert grade(engine, folder(tmp_path, QUIZ), answers).score == score


def test_quiz_feedback_says_correct_or_incorrect_and_hides_until_due(engine, tmp_path):
    result = grade(engine, folder(tmp_path, QUIZ), {"softmax-1-0": "1", "scale": "z"})
    assert [t.output for t in result.tests] == ["incorrect", "not one of the choices"]
    assert {t.visibility for t in result.tests} == {"after_due_date"}


def test_broken_answers_file_costs_no_attempt(engine, tmp_path):
    result = grade(engine, folder(tmp_path, QUIZ), b"[1, 2")
    assert not result.gradable and result.max_score == 5 and "not valid JSON" in result.format_errors[0]


def test_written_answers_wait_for_a_ta(engine, tmp_path):
    result = grade(engine, folder(tmp_path, WRITTEN), {"why-attention": "Because of the bottleneck."})
    (t,) = result.tests
    assert t.score == 0 and t.max_score == 4 and "awaiting a TA" in t.output and "manual" in t.tags


@pytest.mark.parametrize("toml", [QUIZ, WRITTEN])
def test_quiz_and_written_folders_are_sound(engine, tmp_path, toml):
    assert soundness_problems(engine, str(folder(tmp_path, toml))) == []


@pytest.mark.parametrize("broken, message", [
    (QUIZ.replace('answer = "b"', 'answer = "c"'), "answer among them"),
    (QUIZ.replace("answer = 0.00089", 'answer = "x"'), "numeric answer"),
    (WRITTEN.replace("points = 4", "points = 5"), "rubric points add up to 4"),
    (QUIZ.replace('id = "scale"', 'id = "softmax-1-0"'), "unique id"),
])
def test_malformed_questions_are_the_authors_error(tmp_path, broken, message):
    with pytest.raises(AssignmentError, match=message):
        load_assignment(folder(tmp_path, broken))

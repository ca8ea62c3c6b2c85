"""Quizzes and written parts: questions kept in assignment.toml, answers submitted as JSON.

    kind = "quiz"      numeric (with tolerance) and multiple-choice questions, graded here
    kind = "written"   free text graded by TAs against each question's rubric; the engine
                       records the answers and reports each question as awaiting a TA

A submission is `answers.json`: {"<question id>": answer, ...} (a number or numeric text,
a choice id or a list of ids, or text). Nothing of it is executed, so no sandbox is needed.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from graders.contracts import VISIBILITIES, CheckResult
from graders.i18n import T

# Feedback on one answer, in both languages.
NO_ANSWER = T("no answer", "답이 없습니다")
NOT_A_NUMBER = T("not a number: {value}", "숫자가 아닙니다: {value}")
CORRECT = T("correct", "정답입니다")
INCORRECT = T("incorrect", "오답입니다")
NOT_A_CHOICE = T("not one of the choices", "보기에 없는 답입니다")
TOO_LONG = T("the answer is longer than {n} characters", "답이 {n}자보다 깁니다")
AWAITING_TA = T("awaiting a TA's grade against the rubric", "조교가 채점 기준에 따라 채점할 예정입니다")

KINDS = ("code", "quiz", "written")
QUESTION_TYPES = ("numeric", "choice", "text")
MAX_TEXT = 20_000


class QuestionError(ValueError):
    """A question in assignment.toml is malformed."""


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    points: float
    prompt: dict[str, str]
    visibility: str
    answer: Any = None                     # numeric value, choice id(s); None for text
    atol: float = 0.0
    rtol: float = 1e-3
    choices: tuple[dict[str, str], ...] = ()
    rubric: tuple[dict[str, Any], ...] = ()  # written: [{points, ko, en}]

    @property
    def choice_ids(self) -> set[str]:
        return {c["id"] for c in self.choices}


def parse_questions(manifest: dict[str, Any], kind: str, where: str) -> tuple[Question, ...]:
    """Validate the `[[questions]]` of a quiz or written assignment."""
    raw = manifest.get("questions")
    if not isinstance(raw, list) or not raw:
        raise QuestionError(f"{where}: a {kind} assignment needs [[questions]]")
    seen: set[str] = set()
    out = []
    for i, q in enumerate(raw, 1):
        qid = str(q.get("id", ""))
        if not qid or qid in seen:
            raise QuestionError(f"{where}: question {i} needs a unique id")
        seen.add(qid)
        qtype = q.get("type", "text" if kind == "written" else "numeric")
        if qtype not in QUESTION_TYPES or (kind == "written") != (qtype == "text"):
            raise QuestionError(f"{where}: question {qid}: type {qtype!r} does not fit a {kind} assignment")
        prompt = q.get("prompt", {})
        if not all(isinstance(prompt.get(lang), str) and prompt[lang].strip() for lang in ("ko", "en")):
            raise QuestionError(f"{where}: question {qid} needs prompt.ko and prompt.en")
        visibility = q.get("visibility", "after_due_date" if kind == "quiz" else "visible")
        if visibility not in VISIBILITIES:
            raise QuestionError(f"{where}: question {qid}: visibility {visibility!r}")
        choices = tuple({"id": str(c["id"]), "ko": str(c["ko"]), "en": str(c["en"])} for c in q.get("choices", []))
        rubric = tuple(dict(r) for r in q.get("rubric", []))
        question = Question(id=qid, type=qtype, points=float(q.get("points", 0)), prompt=dict(prompt),
                            visibility=visibility, answer=q.get("answer"), atol=float(q.get("atol", 0.0)),
                            rtol=float(q.get("rtol", 1e-3)), choices=choices, rubric=rubric)
        _validate(question, where)
        out.append(question)
    return tuple(out)


def _validate(q: Question, where: str) -> None:
    if q.points <= 0:
        raise QuestionError(f"{where}: question {q.id} has no points")
    if q.type == "numeric" and not isinstance(q.answer, (int, float)):
        raise QuestionError(f"{where}: numeric question {q.id} needs a numeric answer")
    if q.type == "choice":
        answers = q.answer if isinstance(q.answer, list) else [q.answer]
        if not q.choices or not answers or not set(map(str, answers)) <= q.choice_ids:
            raise QuestionError(f"{where}: choice question {q.id} needs choices and an answer among them")
    if q.type == "text":
        total = sum(float(r.get("points", 0)) for r in q.rubric)
        if not q.rubric or abs(total - q.points) > 1e-9:
            raise QuestionError(f"{where}: written question {q.id}: rubric points add up to {total:g}, "
                                f"not {q.points:g}")


def parse_answers(content: bytes) -> dict[str, Any]:
    """The submitted answers, or ValueError with a message for the student."""
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"answers.json is not valid JSON ({exc})") from None
    if isinstance(data, dict) and isinstance(data.get("answers"), dict):
        data = data["answers"]
    if not isinstance(data, dict):
        raise ValueError('answers.json must be an object: {"question id": answer, ...}')
    return data


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip().replace(",", ""))
        except ValueError:
            return None
    return None


def grade_question(q: Question, answer: Any) -> tuple[float, T]:
    """Fraction earned and feedback for one answer."""
    if answer is None or answer == "" or answer == []:
        return 0.0, NO_ANSWER
    if q.type == "numeric":
        value = _number(answer)
        if value is None or not math.isfinite(value):
            return 0.0, NOT_A_NUMBER.format(value=repr(str(answer)[:40]))
        ok = math.isclose(value, float(q.answer), rel_tol=q.rtol, abs_tol=q.atol)
        return (1.0, CORRECT) if ok else (0.0, INCORRECT)
    if q.type == "choice":
        expected = set(map(str, q.answer if isinstance(q.answer, list) else [q.answer]))
        given = set(map(str, answer if isinstance(answer, list) else [answer]))
        if not given <= q.choice_ids:
            return 0.0, NOT_A_CHOICE
        return (1.0, CORRECT) if given == expected else (0.0, INCORRECT)
    text = str(answer)
    if len(text) > MAX_TEXT:
        return 0.0, TOO_LONG.format(n=MAX_TEXT)
    return 0.0, AWAITING_TA


def grade_answers(questions: tuple[Question, ...], answers: dict[str, Any]) -> list[CheckResult]:
    results = []
    for n, q in enumerate(questions, 1):
        fraction, message = grade_question(q, answers.get(q.id))
        tags = ("manual",) if q.type == "text" else (q.type,)
        name = T(f"{q.id}: {_first_line(q.prompt['en'])}", f"{q.id}: {_first_line(q.prompt['ko'])}")
        results.append(CheckResult(
            name=name, score=round(q.points * fraction, 6),
            max_score=q.points, status="passed" if fraction >= 1 else "failed", output=message,
            visibility=q.visibility, tags=tags, number=f"{n}", key=f"question.{q.id}"))
    return results


def _first_line(prompt: str) -> str:
    return prompt.strip().splitlines()[0][:80]


def solution_answers(questions: tuple[Question, ...]) -> dict[str, Any]:
    """The answers that earn full marks (text questions get a placeholder)."""
    return {q.id: q.answer if q.type != "text" else "(model answer)" for q in questions}

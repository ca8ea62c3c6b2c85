"""Questions of a quiz or written part as pages show them: prompt, choices and rubric in the
reader's language with math rendered, the student's answer, and (once visible) its grade.

Pure presentation over data already read (questions, answers, feedback): no queries here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graders.quiz import Question
from seqlab.courses.rendering import render_answer, render_inline, render_markdown


def field_name(question: Question) -> str:
    """The form field of a question (ids are free text in assignment.toml, so prefix them)."""
    return f"q-{question.id}"


def is_multi(question: Question) -> bool:
    """A choice question with a list of correct choices is answered with checkboxes."""
    return question.type == "choice" and isinstance(question.answer, list)


@dataclass(frozen=True)
class ChoiceView:
    id: str
    label_html: str
    selected: bool
    text: str                     # the label as plain text, for assistive tech (math is MathML)
    correct: bool | None          # None unless the answer key may be shown


@dataclass(frozen=True)
class CriterionView:
    index: int
    points: float
    text_html: str
    met: bool | None              # None until a TA's grade is visible


@dataclass
class QuestionView:
    number: str
    id: str
    type: str
    points: float
    prompt_html: str
    multi: bool
    field: str
    value: Any                    # what the form shows: the student's last or just-typed answer
    error: str = ""
    choices: list[ChoiceView] = field(default_factory=list)
    rubric: list[CriterionView] = field(default_factory=list)
    check: Any = None             # the CheckView of this question's grade, if any
    key: str = ""                 # the correct answer, as safe HTML, when it may be shown

    @property
    def answer_html(self) -> str:
        """A written answer rendered for reading (Markdown and $math$, sanitised)."""
        return render_answer(str(self.value)) if self.type == "text" and self.answered else ""

    @property
    def answered(self) -> bool:
        return self.value not in (None, "", [])


def _selected(value: Any) -> set[str]:
    if value in (None, ""):
        return set()
    return {str(v) for v in value} if isinstance(value, list) else {str(value)}


def _key(question: Question, lang: str) -> str:
    """The correct answer as HTML (a choice's label may hold math)."""
    if question.type == "numeric":
        return f"{question.answer:.6g}"
    if question.type == "choice":
        wanted = _selected(question.answer)
        return ", ".join(render_inline(c[lang]) for c in question.choices if c["id"] in wanted)
    return ""


def question_views(questions: tuple[Question, ...], *, lang: str, values: dict[str, Any],
                   errors: dict[str, str] | None = None, checks: dict[str, Any] | None = None,
                   show_key: bool = False) -> list[QuestionView]:
    """One view per question; `values` by question id, `checks` (CheckViews) by check number."""
    views = []
    for n, q in enumerate(questions, 1):
        number = str(n)
        check = (checks or {}).get(number)
        value = values.get(q.id)
        chosen = _selected(value)
        key_ids = _selected(q.answer) if q.type == "choice" else set()
        met = set(check.rubric_met) if check is not None and check.rubric_met is not None else None
        views.append(QuestionView(
            number=number, id=q.id, type=q.type, points=q.points, prompt_html=render_markdown(q.prompt[lang]),
            multi=is_multi(q), field=field_name(q), value=value, error=(errors or {}).get(q.id, ""),
            choices=[ChoiceView(c["id"], render_inline(c[lang]), c["id"] in chosen,
                                (c["id"] in key_ids) if show_key else None, c[lang].replace("$", ""))
                     for c in q.choices],
            rubric=[CriterionView(i, float(r.get("points", 0)), render_inline(str(r.get(lang, ""))),
                                  (i in met) if met is not None else None) for i, r in enumerate(q.rubric)],
            check=check, key=_key(q, lang) if show_key else ""))
    return views

"""Stage: grade a quiz's or a written part's answers.json (data only: no sandbox)."""
from __future__ import annotations

from graders.context import Context
from graders.quiz import grade_answers, parse_answers


def stage_answers(ctx: Context) -> None:
    """Check each answer against its question; text answers wait for a TA."""
    try:
        answers = parse_answers(ctx.job.content)
    except ValueError as exc:
        return ctx.reject(str(exc))
    unknown = sorted(set(map(str, answers)) - {q.id for q in ctx.assignment.questions})
    if unknown:
        ctx.notes.append(f"Ignored answers to unknown questions: {', '.join(unknown[:10])}.")
    ctx.results.extend(grade_answers(ctx.assignment.questions, answers))

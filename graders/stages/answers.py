"""Stage: grade a quiz's or a written part's answers.json (data only: no sandbox)."""
from __future__ import annotations

from graders.context import Context
from graders.limits import MAX_UPLOAD_BYTES
from graders.quiz import grade_answers, parse_answers


def stage_answers(ctx: Context) -> None:
    """Check each answer against its question; text answers wait for a TA."""
    if len(ctx.job.content) > MAX_UPLOAD_BYTES:
        return ctx.reject(f"answers.json is {len(ctx.job.content) >> 10} KiB; the limit is {MAX_UPLOAD_BYTES >> 10} KiB.")
    try:
        answers = parse_answers(ctx.job.content)
    except ValueError as exc:
        return ctx.reject(str(exc)[:500])
    except RecursionError:
        return ctx.reject("answers.json is nested too deeply to be a set of answers.")
    unknown = sorted(set(map(str, answers)) - {q.id for q in ctx.assignment.questions})
    if unknown:
        ctx.notes.append(f"Ignored answers to unknown questions: {', '.join(unknown[:10])}.")
    ctx.results.extend(grade_answers(ctx.assignment.questions, answers))

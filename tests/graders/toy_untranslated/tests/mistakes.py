"""Mistakes with what `graders check` refuses: no Korean, no id, a malformed id."""
from graders.i18n import Mistake

NO_KOREAN = Mistake("toy-untranslated/no-korean", "you returned x unchanged", "")
BAD_ID = Mistake("Returned Half", "you returned x / 2", "x / 2를 반환했습니다")
OTHER_ASSIGNMENT = Mistake("toy/negated", "you returned -x", "-x를 반환했습니다")
PLAIN_TEXT = "you returned x + x + x"


def variants(x):
    return {NO_KOREAN: x, BAD_ID: x / 2, OTHER_ASSIGNMENT: -x, "you returned zeros": x * 0}

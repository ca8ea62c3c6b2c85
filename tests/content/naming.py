"""How content tests say that feedback names a mistake: by its stable id, else by a phrase.

`named` is a mistake id (`attention/no-scale`; several as `a|b` where either counts), which
is sturdier than its wording; a phrase (any text with a space or no slash) is looked for in
the English feedback, for failures that are not named mistakes (a wrong dtype, a banned API).
"""
import re

ID = re.compile(r"^[a-z0-9-]+/[a-z0-9-]+(\|[a-z0-9-]+/[a-z0-9-]+)*$")


def is_named(test, named):
    if not ID.match(named):
        return named in test.output
    return bool({m["id"] for m in test.mistakes} & set(named.split("|")))

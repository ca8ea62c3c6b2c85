"""The engine's newer messages (runtime bans, by-name lookups, tampered tripwires, encodings) have
their Korean in the catalogue: a Korean grade shows no English sentence from them."""
import re

import pytest

from graders.i18n_catalogue import translate

ENGLISH_WORDS = re.compile(r"\b(?:the|is|was|which|by|name|lookup|called|runtime|only|accepted|record|cannot)\b")
MESSAGES = [
    "Banned API: `corpus_bleu` uses `functools.reduce`, a lookup by name (line 14), which the grader cannot check "
    "for banned APIs. Implement it yourself; this check scores 0.",
    "Banned API: `double` uses `vars`, a lookup or code built at run time (line 14), which the grader cannot check "
    "for banned APIs; `double` uses `__getattribute__`, a namespace looked up by name (line 15), which the grader "
    "cannot check for banned APIs. Implement it yourself; this check scores 0.",
    "Banned API torch.nn.functional.softmax called at runtime (line 25). Implement it yourself; this check scores 0.",
    "Banned API .backward called at runtime. Implement it yourself; this check scores 0.",
    "importing toy.py: the sandbox's record of banned API calls is missing or was tampered with (tripwires: none); "
    "this check scores 0",
    "attention.py declares the source encoding 'utf-7'; only UTF-8 is accepted. Remove the `coding:` line and save "
    "the file as UTF-8.",
]


@pytest.mark.parametrize("english", MESSAGES)
def test_the_engines_message_reads_in_korean(english):
    korean = translate(english).ko
    assert korean != english and re.search(r"[\uac00-\ud7a3]", korean)
    assert not ENGLISH_WORDS.search(re.sub(r"`[^`]*`|\([^)]*: [^)]*\)", "", korean)), korean

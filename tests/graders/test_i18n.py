"""Every word a student reads from the engine exists in Korean and English.

Texts are `T(en, ko)` values (graders/i18n.py), named mistakes are `Mistake(id, en, ko)`, and
the English strings of the stages and the sandbox are translated by graders/i18n_catalogue.py.
Results keep both languages (`extra_data.i18n`) and write `name`/`output` in the one asked for.
"""
import json
import pickle
import re
import subprocess
import sys

import pytest

from graders.contracts import Job
from graders.i18n import Mistake, T, has_hangul, text
from graders.i18n_catalogue import translate
from tests.conftest import REPO, TOY

ATTENTION = REPO / "assignments" / "attention"
WRONG_ATTENTION = REPO / "tests" / "content" / "attention"
TOY_SOLUTION = (TOY / "solution" / "toy.py").read_text()
RETURNS_INPUT = TOY_SOLUTION.replace("return x * 2", "return x.clone()")


def test_text_keeps_both_languages_through_concatenation_join_and_format():
    what = T("{name} with {case}", "{name} (입력 {case})").format(name="f", case="q (2, 3)")
    message = "f: " + T("bad", "틀림") + "; " + what
    assert (message.en, message.ko) == ("f: bad; f with q (2, 3)", "f: 틀림; f (입력 q (2, 3))")
    joined = T("; ", "; ").join([T("a", "가"), "b"])
    assert (joined.en, joined.ko) == ("a; b", "가; b")
    assert str(message) == message.en and isinstance(message, str)
    assert pickle.loads(pickle.dumps(message)).ko == message.ko


def test_a_formatted_mistake_keeps_its_id_and_travels_with_the_message():
    mistake = Mistake("toy/too-small", "the mask {mask} is small", "마스크 {mask}가 작습니다")
    filled = mistake.format(mask=(4, 4))
    message = T("{what}: wrong; {hint}", "{what}: 틀림; {hint}").format(what="f", hint=filled)
    assert [m.id for m in message.mistakes] == ["toy/too-small"]
    assert message.mistakes[0].ko == "마스크 (4, 4)가 작습니다"
    assert (message + " more").mistakes == message.mistakes
    assert pickle.loads(pickle.dumps(filled)).id == "toy/too-small"


@pytest.mark.parametrize("english", [
    "The uploaded file 'attention.py' is empty.",
    "The upload is 9000 KiB; the limit is 8192 KiB.",
    "Uploaded mine.py; graded as attention.py.",
    "SyntaxError in attention.py, line 3: invalid syntax\n    def (",
    "timed out after 2 s in importing toy.py",
    "toy.py 가져오기",  # already Korean: left as it is
    "double raised ZeroDivisionError: division by zero",
    "double changed its argument `x` in place; functions must not mutate their inputs (work on a copy)",
    "Banned API: `double` uses torch.nn.functional.softmax (line 5). Implement it yourself; this check scores 0.",
    "importing toy.py: your code ended the process (exit code 3); do not call exit() or os._exit() in a submission",
    "partial credit: 50%",
    "answers.json is not valid JSON (Expecting value: line 1 column 1 (char 0))",
])
def test_catalogue_gives_engine_messages_in_korean(english):
    korean = translate(english).ko
    assert has_hangul(korean), korean
    assert translate(english).en == english


def test_unknown_text_stays_english_in_both_languages():
    assert translate("something new").ko == "something new"
    assert text("something new").en == "something new"


def test_result_json_keeps_both_languages_and_writes_the_one_asked_for(grade_toy):
    result = grade_toy(RETURNS_INPUT)
    english, korean = result.to_json(lang="en"), result.to_json(lang="ko")
    failed = next(t for t in english["tests"] if t["extra_data"]["mistakes"])
    assert failed["name"] == "double: small input"
    assert "you returned x unchanged" in failed["output"]
    assert failed["extra_data"]["mistakes"] == [{
        "id": "toy/returned-input", "check": "public.test_double.test_double_small",
        "ko": "x를 그대로 반환했습니다", "en": "you returned x unchanged"}]
    assert failed["extra_data"]["i18n"]["ko"]["name"] == "double: 작은 입력"
    same = next(t for t in korean["tests"] if t["extra_data"]["check"] == failed["extra_data"]["check"])
    assert same["name"] == "double: 작은 입력"
    assert "x를 그대로 반환했습니다" in same["output"] and "unchanged" not in same["output"]
    assert same["extra_data"]["i18n"] == failed["extra_data"]["i18n"]
    assert set(korean["extra_data"]["i18n"]) == {"ko", "en"}


def test_a_rejected_upload_is_explained_in_korean(grade_toy):
    result = grade_toy(b"   \n")
    data = result.to_json(lang="ko")
    assert not result.gradable
    assert data["output"] == "업로드한 파일 'toy.py'이(가) 비어 있습니다."
    assert data["extra_data"]["i18n"]["en"]["output"] == "The uploaded file 'toy.py' is empty."
    assert data["extra_data"]["format_errors"] == ["업로드한 파일 'toy.py'이(가) 비어 있습니다."]


def test_a_syntax_error_is_explained_in_korean(grade_toy):
    result = grade_toy("def double(x)\n    return x\n")
    outputs = {t.i18n()["ko"]["output"] for t in result.tests}
    assert all(o.startswith("toy.py 1번째 줄에서 SyntaxError") for o in outputs), outputs


def test_cli_grades_in_the_language_asked_for(tmp_path):
    (tmp_path / "toy.py").write_text(RETURNS_INPUT)
    run = [sys.executable, "-m", "graders", "grade", str(TOY), str(tmp_path / "toy.py")]
    text_ko = subprocess.run(run + ["--lang", "ko"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert text_ko.returncode == 0, text_ko.stderr
    assert "연습 과제" in text_ko.stdout and "x를 그대로 반환했습니다" in text_ko.stdout
    assert "점수: " in text_ko.stdout and "Score" not in text_ko.stdout
    data = json.loads(subprocess.run(run + ["--lang", "ko", "--json"], cwd=REPO, capture_output=True, text=True,
                                     timeout=300).stdout)
    assert data["tests"][0]["name"] == "double: 작은 입력"
    assert data["tests"][0]["extra_data"]["i18n"]["en"]["name"] == "double: small input"


# ------------------------------------------------------------------------------ no English left in Korean

# Words that make a run of words an English sentence rather than a code identifier or a name.
FUNCTION_WORDS = {"the", "is", "are", "a", "an", "of", "to", "in", "not", "must", "and", "with", "by", "for",
                  "on", "from", "your", "be", "it", "its", "was", "were", "has", "have", "got", "expected",
                  "instead", "use", "uses", "only", "no", "when", "than", "so", "but", "at", "as"}
CODE = re.compile(r"`[^`]*`|\S*[_()\[\]=*/^.0-9]\S*")


def english_sentences(korean_text):
    """Runs of three or more English words, at least one of them a function word."""
    found = []
    for line in korean_text.splitlines():
        words = CODE.sub(" | ", line)
        for run in re.findall(r"[A-Za-z']+(?: [A-Za-z']+){2,}", words):
            if FUNCTION_WORDS & set(run.lower().split()):
                found.append(run)
    return found


def test_the_detector_finds_english_and_spares_code():
    assert english_sentences("점수를 sqrt(d_k)로 나누지 않았습니다: softmax(q k^T / sqrt(d_k))를 쓰세요") == []
    assert english_sentences("MultiHeadAttention.forward에서 IndexError 예외가 발생했습니다") == []
    assert english_sentences("weights: the scores are not divided") == ["the scores are not divided"]


WRONG = ["no_scale", "softmax_over_queries", "mask_after_softmax", "nan_rows", "swapped_pair", "returns_out_only",
         "causal_upper", "causal_float", "causal_no_check", "additive_no_tanh", "mha_averaged_weights",
         "mha_detached", "mutates_inputs", "naive_softmax", "banned_sdpa"]


@pytest.mark.parametrize("name", WRONG)
def test_korean_grade_of_a_wrong_attention_has_no_english_sentence(engine, name):
    content = (WRONG_ATTENTION / f"{name}.py").read_bytes()
    data = engine.grade(Job(str(ATTENTION), "attention.py", content)).to_json(lang="ko")
    texts = [data["output"]] + [t for test in data["tests"] for t in (test["name"], test["output"])]
    texts += [m["ko"] for test in data["tests"] for m in test["extra_data"]["mistakes"]]
    texts += [t for a in data["extra_data"]["artifacts"] for t in (a["caption"], a["alt"])]
    assert any(test["status"] == "failed" for test in data["tests"])
    for shown in texts:
        assert english_sentences(shown) == [], shown
    named = [m for test in data["tests"] for m in test["extra_data"]["mistakes"]]
    assert all(m["id"].startswith("attention/") and has_hangul(m["ko"]) and m["en"] for m in named)

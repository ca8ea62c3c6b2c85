"""A Korean grade shows no English sentence the engine could have translated.

Real faults are graded in Korean through the real engine: hostile submissions (crashes, exits,
forged replies, banned calls, missing functions), broken uploads (every file of
tests/graders/files/uploads, zips and notebooks made here), known-wrong solutions of course
assignments, and quiz answers. Every text a student reads (the result's output and format
errors, each check's name and output, named mistakes, artifact captions and alt texts) must
read as Korean once what the student wrote is set aside: their exception messages and
tracebacks, quoted names, code, identifiers and numbers. What remains may hold no run of three
or more English words.
"""
from __future__ import annotations

import io
import json
import re
import zipfile

import pytest

from graders.cli import main
from graders.contracts import Job, Result
from graders.i18n import T, has_hangul
from graders.i18n_catalogue import translate
from graders.text import clean
from tests.conftest import REPO, TOY

FILES = REPO / "tests" / "graders" / "files"
UPLOADS = FILES / "uploads"
CONTENT = REPO / "tests" / "content"
SOLUTION = (TOY / "solution" / "toy.py").read_text()

# What the student wrote, set aside before looking for English: the message of an exception
# (after the Korean "raised: ", or after an exception type and a colon: zlib names its own `error`),
# traceback lines, quoted text, the names of a drawing's boxes (`A -> B` in a diagram's alt text), and
# code (a token holding brackets, operators, digits or a dotted name).
RAISED = re.compile(r"예외가 발생했습니다: .*$"
                    r"|\b(?:error|[A-Z]\w*(?:Error|Exception|Exit|Interrupt|Warning|ZipFile))\b: .*$")
TRACEBACK = re.compile(r"^\s+\S|^\s*File \"|^Traceback ")
ARROW = re.compile(r"[^:;]* -> [^;]*")
QUOTED = re.compile(r"`[^`]*`|'[^'\n]*'|\"[^\"\n]*\"")
CODE = re.compile(r"\S*(?:[_()\[\]{}=*/^<>@#|\\0-9]|\w\.\w)\S*")
RUN = re.compile(r"[A-Za-z][A-Za-z'-]*(?: [A-Za-z][A-Za-z'-]*){2,}")


def english_runs(korean: str) -> list[str]:
    """Runs of three or more English words left once the student's own text is set aside."""
    found = []
    for line in korean.splitlines():
        if TRACEBACK.search(line):
            continue
        line = CODE.sub(" | ", QUOTED.sub(" | ", ARROW.sub(" | ", RAISED.sub("", line))))
        found += RUN.findall(line)
    return found


def shown_texts(result: Result) -> list[str]:
    """Every text a student reads of a Korean result."""
    data = result.to_json(lang="ko")
    texts = [data["output"], *data["extra_data"]["format_errors"]]
    for test in data["tests"]:
        texts += [test["name"], test["output"], *(m["ko"] for m in test["extra_data"]["mistakes"])]
    texts += [t for a in data["extra_data"]["artifacts"] for t in (a["caption"], a["alt"])]
    return texts


def assert_korean(result: Result) -> None:
    leftovers = {text: english_runs(text) for text in shown_texts(result) if english_runs(text)}
    assert not leftovers, "English left in the Korean result:\n" + "\n".join(
        f"{runs} in {text[:300]!r}" for text, runs in leftovers.items())


def test_the_rule_flags_engine_english_and_spares_what_the_student_wrote():
    student = [
        "double에서 RuntimeError 예외가 발생했습니다: no write outside the scratch worked",
        "toy.py 3번째 줄에서 SyntaxError: expected ':' here",
        "zip 파일을 읽을 수 없습니다 (BadZipFile: File is not a zip file). 다시 압축해서 올리세요.",
        '  File "toy.py", line 4, in double\n    raise ValueError("not what you expected at all")',
        "double(x): 형태(shape)가 (2, 3)이어야 하는데 (3, 2)입니다",
        "업로드한 파일 'my own little file.py'이(가) 비어 있습니다.",
        "MultiHeadAttention.forward 중 제한 시간 2초를 넘겼습니다",
        "노드 3개와 화살표 2개의 다이어그램: Input Embedding -> Multi-Head Attention; Add & Norm -> Feed Forward",
    ]
    for text in student:
        assert english_runs(text) == [], text
    assert english_runs("double: the sandbox sent malformed data (잘못된 값)") == ["the sandbox sent malformed data"]
    assert english_runs("파일을 무시했습니다: a.py and 30 more.") == []      # two words: below the bar
    assert english_runs("노트북을 읽을 수 없습니다: download it again from Jupyter") == ["download it again from Jupyter"]


def test_a_text_cut_at_its_limit_says_so_in_its_own_language():
    cut = clean(T("x" * 50, "가" * 50), limit=10)
    assert (cut.en, cut.ko) == ("x" * 10 + "\n[... 40 more characters cut]", "가" * 10 + "\n[... 40자를 잘라 냈습니다]")
    plain = clean("z" * 30, limit=10)                 # English only: the catalogue reads the note
    assert english_runs(translate(plain).ko) == [] and translate(plain).ko.endswith("[... 20자를 잘라 냈습니다]")


def _grade(engine, content: bytes | str, *, filename: str = "toy.py", folder=TOY) -> Result:
    data = content.encode() if isinstance(content, str) else content
    return engine.grade(Job(assignment_dir=str(folder), filename=filename, content=data))


# Hostile submissions whose faults are quick to reach: exits and segfaults, an exit at import, forged
# and malformed replies, banned calls and tampered tripwires, wrong types, refused privileges, no
# network, a reply nested too deeply at import, memory and time running out.
HOSTILE = ["os_exit.py", "os_exit_import.py", "protocol_forgery.py", "reply_shared_buffer.py", "reply_deep.py",
           "pickle_payload.py", "tensor_subclass.py", "banned_at_runtime.py", "tripwire_tamper.py", "network.py",
           "nested_frame_at_import.py", "memory_bomb.py", "infinite_loop.py"]


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_submission_is_explained_in_korean(engine, name):
    result = _grade(engine, (FILES / name).read_bytes())
    assert any(t.status == "failed" for t in result.tests)
    assert_korean(result)


# Faults of an ordinary student, made here from the toy's solution.
MISTAKES = {
    "missing_function": SOLUTION.replace("def double_sum(", "def double_summ("),
    "mutates_input": SOLUTION.replace("return x * 2", "x.mul_(2)\n    return x"),
    "raises": SOLUTION.replace("return x * 2", "raise ValueError('my own message: not done yet')"),
    "wrong_type": SOLUTION.replace("return x * 2", "return [1, 2]"),
    "wrong_shape": SOLUTION.replace("return x * 2", "return (x * 2).T"),
    "nan": SOLUTION.replace("return x * 2", "return x * float('nan')"),
    "syntax_error": SOLUTION.replace("def double(x):", "def double(x)"),
    "banned_by_name": SOLUTION.replace("def softmax_rows(x):",
                                       "def softmax_rows(x):\n    return torch.nn.functional.softmax(x, -1)"),
    "exit_at_import": SOLUTION + "\nimport sys\nsys.exit(3)\n",
    "slow": SOLUTION.replace("return x * 2", "while True:\n        pass"),
}


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_an_ordinary_mistake_is_explained_in_korean(engine, name):
    result = _grade(engine, MISTAKES[name])
    assert any(t.status == "failed" for t in result.tests)
    assert_korean(result)


def test_a_missing_function_is_named_in_korean(engine):
    result = _grade(engine, MISTAKES["missing_function"])
    missing = [t.i18n()["ko"]["output"] for t in result.tests if "double_sum" in t.output]
    assert missing and all("toy.py에 'double_sum'이(가) 정의되어 있지 않습니다" in m for m in missing), missing


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _notebook(cells) -> bytes:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}).encode()


# Uploads made here (the files in tests/graders/files/uploads are graded too).
UPLOADS_MADE = {
    "extra_files.zip": _zip({"toy.py": SOLUTION.encode(), **{f"notes{i}.txt": b"x" for i in range(25)}}),
    "no_module.zip": _zip({"readme.txt": b"hello"}),
    "not_a_zip.zip": b"PK\x03\x04 this is not really a zip file",
    "wrong_type.txt": b"print('hello')\n",
    "notebook.ipynb": _notebook([{"cell_type": "code", "metadata": {}, "source": SOLUTION}]),
    "markdown_only.ipynb": _notebook([{"cell_type": "markdown", "metadata": {}, "source": "# notes"}]),
    "broken.ipynb": b'{"cells": [',
    "mine.py": SOLUTION.encode(),
}


@pytest.mark.parametrize("name", sorted(p.name for p in UPLOADS.iterdir()) + sorted(UPLOADS_MADE))
def test_an_upload_is_explained_in_korean(engine, name):
    content = UPLOADS_MADE[name] if name in UPLOADS_MADE else (UPLOADS / name).read_bytes()
    result = _grade(engine, content, filename=name)
    assert_korean(result)
    if not result.gradable:
        assert all(has_hangul(e) for e in result.to_json(lang="ko")["extra_data"]["format_errors"])


# Known-wrong solutions of the course's assignments (tests/content/<assignment>/): one of each, chosen
# for the kinds of feedback they get (a wrong type, an exception expected, inputs changed, a named
# mistake, a diagram's pictures); attention's are graded in Korean by test_i18n.py.
COURSE_MISTAKES = [("bleu", "precision_distinct_denominator"), ("rnn", "clip_no_value_error"),
                   ("lstm_gru", "lstm_returns_c_h"),
                   ("positional_encoding", "mistake_asserts_instead_of_valueerror"), ("mlp_basics", "bce_no_clamp"),
                   ("optimizers", "ls_mutates_logits"), ("transformer", "layer_returns_weights"),
                   ("lm_pretraining", "greedy_float_ids")]


def _assignment_of(folder: str):
    from graders.assignment import load_assignment
    return load_assignment(REPO / "assignments" / folder.replace("_", "-"))


@pytest.mark.parametrize("folder,name", COURSE_MISTAKES)
def test_a_wrong_course_solution_is_explained_in_korean(engine, folder, name):
    assignment = _assignment_of(folder)
    result = _grade(engine, (CONTENT / folder / f"{name}.py").read_bytes(), filename=assignment.file,
                    folder=assignment.path)
    assert any(t.status == "failed" for t in result.tests)
    assert_korean(result)


QUIZ_ANSWERS = [b"{not json", b'{"a": "unterminated', b"\xff\xfe", b"[1, 2]", b'{"nope": 1}', b"[" * 100_000,
                b"{}", "wrong"]


def _wrong_answers(folder) -> bytes:
    """A wrong answer of each kind to every question, and one to a question that does not exist."""
    from graders.assignment import load_assignment
    wrong = {"numeric": "abc", "choice": ["zz"], "text": "w" * 30_000}
    answers = {q.id: wrong[q.type] for q in load_assignment(folder).questions}
    return json.dumps({**answers, "no-such-question": 1}).encode()


@pytest.mark.parametrize("content", QUIZ_ANSWERS, ids=range(len(QUIZ_ANSWERS)))
@pytest.mark.parametrize("folder", ["quiz-attention", "written-practice"])
def test_quiz_and_written_answers_are_explained_in_korean(engine, folder, content):
    folder = REPO / "assignments" / folder
    content = _wrong_answers(folder) if content == "wrong" else content
    result = _grade(engine, content, filename="answers.json", folder=folder)
    assert_korean(result)


def test_cli_says_a_missing_file_in_korean(capsys, tmp_path):
    assert main(["grade", str(TOY), str(tmp_path / "nothing.py"), "--lang", "ko"]) == 2
    assert capsys.readouterr().err.strip() == f"오류: 파일이 없습니다: {tmp_path / 'nothing.py'}"
    assert main(["grade", str(TOY), str(tmp_path), "--lang", "ko"]) == 2
    assert capsys.readouterr().err.strip() == f"오류: {tmp_path}에 toy.py도, 노트북(.ipynb)도 없습니다"
    assert main(["grade", str(TOY), str(tmp_path), "--lang", "en"]) == 2
    assert capsys.readouterr().err.strip() == f"error: {tmp_path} holds neither toy.py nor a notebook"

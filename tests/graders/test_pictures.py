"""Pictures are drawn in the reader's language: words drawn inside a PNG follow T(en, ko).

A picture whose drawn words differ between the languages is drawn twice (English, and Korean
with NanumGothic); one whose words read the same is drawn once. Results carry both drawings and
show the one of the language asked for. Whatever a check passes as a title, the grader stays whole.
"""
from __future__ import annotations

import base64
import shutil
import struct
import time
import warnings
from types import SimpleNamespace

import pytest

from graders import memo, pictures
from graders.assignment import load_assignment
from graders.contracts import Artifact, Job
from graders.i18n import T, same
from graders.stages.run_checks import ArtifactSink
from tests.conftest import REPO, TOY

MATRIX = [[0.1, 0.9], [0.6, 0.4]]
needs_korean_font = pytest.mark.skipif(not pictures.korean_font(), reason="NanumGothic (fonts-nanum) not installed")


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    return struct.unpack(">II", data[16:24])


@pytest.fixture
def renders(monkeypatch):
    """Count the figures actually rendered (the memo cleared first)."""
    memo.MEMO.clear()
    calls = []
    real = pictures._savefig

    def counted(fig, dpi):
        calls.append(fig)
        return real(fig, dpi)
    monkeypatch.setattr(pictures, "_savefig", counted)
    yield calls
    memo.MEMO.clear()


# ------------------------------------------------------------------------------ drawing

@needs_korean_font
def test_a_picture_whose_words_differ_is_drawn_in_each_language(renders):
    picture = pictures.heatmap(MATRIX, title=T("attention weights", "어텐션 가중치"), xlabel=T("key", "키"))
    assert isinstance(picture, pictures.Picture) and len(renders) == 2
    assert picture.ko is not None and picture.ko != bytes(picture)
    assert picture.get("ko") == picture.ko and picture.get("en") == bytes(picture) == picture.en
    assert png_size(picture.ko)[1] > 100 and picture.localized() == (("ko", picture.ko),)


def test_a_picture_whose_words_read_the_same_is_drawn_once(renders):
    picture = pictures.heatmap(MATRIX, title=same("PE[p, i]"), xlabel="x", ylabel="y")
    assert picture.ko is None and len(renders) == 1
    assert picture.get("ko") == picture.get("en") == bytes(picture) and picture.localized() == ()


def test_values_a_picture_cannot_tell_apart_share_one_drawing(renders):
    """Two correct submissions' weights that differ in the last bits of a float: one drawing."""
    import torch
    first = torch.softmax(torch.randn(3, 3, generator=torch.Generator().manual_seed(1)), -1)
    second = first + 1e-9
    one = pictures.heatmaps([(same("w"), first)], title=same("t"))
    two = pictures.heatmaps([(same("w"), second)], title=same("t"))
    assert bytes(one) == bytes(two) and len(renders) == 1
    pictures.heatmaps([(same("w"), first + 0.01)], title=same("t"))    # a difference it shows: drawn
    assert len(renders) == 2


def test_token_labels_are_data_drawn_as_they_are(renders):
    """Row and column labels are words of a sentence, not texts to translate."""
    picture = pictures.heatmaps([(same("A"), MATRIX)], title=same("w"), row_labels=["step", "loss"],
                                col_labels=["yours", "reference"])
    assert picture.ko is None and len(renders) == 1


def test_drawn_asks_for_a_second_drawing_only_when_a_text_differs():
    seen = []

    def draw(tr):
        seen.append(tr(T("loss", "손실")) + "|" + tr(same("x1")))
        return seen[-1].encode()
    picture = pictures.drawn(draw)
    if pictures.korean_font():
        assert seen == ["loss|x1", "손실|x1"] and picture.ko == "손실|x1".encode()
    else:                                     # no Korean font: English only, never tofu boxes
        assert seen == ["loss|x1"] and picture.ko is None
    seen.clear()
    assert pictures.drawn(lambda tr: tr(same("x")).encode()).ko is None
    assert pictures.drawn(lambda tr: None) is None


def test_a_second_language_costs_nothing_when_the_words_are_equal(renders):
    """The drawings are memoised on their words and values: drawing the same picture again renders nothing."""
    pictures.learning_curve({T("yours", "제출"): [(0, 1.0), (1, 0.5)]}, title=T("loss", "손실"))
    first = len(renders)
    again = pictures.learning_curve({T("yours", "제출"): [(0, 1.0), (1, 0.5)]}, title=T("loss", "손실"))
    assert len(renders) == first and first == (2 if pictures.korean_font() else 1)
    assert isinstance(again, pictures.Picture)


def test_without_the_korean_font_pictures_are_english_only(renders, monkeypatch):
    monkeypatch.setattr(pictures, "korean_font", lambda: False)
    picture = pictures.heatmap(MATRIX, title=T("attention weights", "어텐션 가중치"))
    assert picture.ko is None and len(renders) == 1


@needs_korean_font
def test_the_korean_picture_draws_hangul_glyphs_not_boxes(renders):
    """Two Korean titles give two pictures (real glyphs; missing glyphs would all be the same box),
    and the English drawings of them are the same."""
    a = pictures.heatmap(MATRIX, title=T("weights", "가중치"))
    b = pictures.heatmap(MATRIX, title=T("weights", "나비꽃"))
    assert a.ko != b.ko and bytes(a) == bytes(b)
    plt = pictures.pyplot()

    def title_only(words, family):
        with plt.rc_context({"font.family": family}):
            fig = plt.figure(figsize=(2, 1))
            fig.suptitle(words)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return pictures.png(fig)
    assert title_only("가중치", ["DejaVu Sans"]) == title_only("나비꽃", ["DejaVu Sans"])    # boxes alike
    assert title_only("가중치", pictures.FONT_FAMILY) != title_only("나비꽃", pictures.FONT_FAMILY)


@needs_korean_font
def test_korean_labels_and_log_ticks_find_every_glyph(renders):
    """Hangul from NanumGothic, the minus of 10^-k log ticks and negative numbers from DejaVu Sans."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        picture = pictures.learning_curve({T("yours", "제출"): [(0, 1.0), (1, 0.01), (2, 0.0001)]},
                                          title=T("loss on a bowl", "그릇 모양 함수의 손실"))
        pictures.heatmap([[-1.0, 0.5]], title=T("table", "표"), xlabel=T("dimension i", "차원 i"))
    assert picture.ko is not None
    missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
    assert missing == []


# ------------------------------------------------------------------------------ results

def test_an_artifact_carries_each_drawing_and_shows_the_one_asked_for():
    artifact = Artifact("w.png", "image/png", b"english", caption=T("weights", "가중치"),
                        localized=(("ko", b"korean"), ("fr", b"x"), ("en", b"no"), ("ko", b"again")))
    assert artifact.localized == (("ko", b"korean"),)
    assert base64.b64decode(artifact.to_json(lang="ko")["data"]) == b"korean"
    assert base64.b64decode(artifact.to_json(lang="en")["data"]) == b"english"
    assert base64.b64decode(artifact.to_json()["data"]) == b"english"
    plain = Artifact("w.png", "image/png", b"same", localized=(("ko", b"same"),))
    assert plain.localized == () and base64.b64decode(plain.to_json(lang="ko")["data"]) == b"same"
    picture = Artifact("p.png", "image/png", pictures.Picture(b"en", b"ko"))
    assert (picture.data, type(picture.data), picture.localized) == (b"en", bytes, (("ko", b"ko"),))


def test_the_memo_counts_both_drawings_and_keys_no_picture_by_its_english_alone():
    kept, size = memo.copied(pictures.Picture(b"e" * 10, b"k" * 30))
    assert size == 40 and kept.ko == b"k" * 30
    with pytest.raises(memo.Unkeyable):
        memo.fingerprint(pictures.Picture(b"e", b"k"))


def test_the_artifacts_fixture_takes_a_picture_or_bytes():
    ctx = SimpleNamespace(artifacts=[])
    sink = ArtifactSink(ctx, "a check")
    sink.image("p.png", pictures.Picture(b"en", b"ko"), caption=T("p", "그림"))
    sink.image("q.png", b"plain")
    p, q = ctx.artifacts
    assert (p.data, p.localized, type(p.data)) == (b"en", (("ko", b"ko"),), bytes)
    assert (q.data, q.localized) == (b"plain", ())


@needs_korean_font
def test_a_korean_grade_carries_the_korean_picture(engine):
    """The attention assignment's worked example, graded: --lang ko gives the Korean drawing."""
    attention = load_assignment(REPO / "assignments" / "attention")
    result = engine.grade(Job(str(attention.path), attention.file, attention.solution_path.read_bytes()))
    artifact = next(a for a in result.artifacts if a.name == "worked-example-weights.png")
    assert dict(artifact.localized).get("ko")
    ko = base64.b64decode(next(a for a in result.to_json(lang="ko")["extra_data"]["artifacts"]
                               if a["name"] == artifact.name)["data"])
    en = base64.b64decode(next(a for a in result.to_json(lang="en")["extra_data"]["artifacts"]
                               if a["name"] == artifact.name)["data"])
    assert ko == dict(artifact.localized)["ko"] and en == artifact.data and ko != en


# ------------------------------------------------------------------------------ hostile texts

HUGE = "x" * 10_000_000


def test_huge_and_weird_texts_are_cut_and_cleaned():
    assert len(pictures.drawable(HUGE)) <= pictures.MAX_DRAWN_CHARS + pictures.MAX_DRAWN_LINES
    weird = pictures.drawable("a\x00b\x1b[31mc\u202ed\ud800e\r\nf\tg" + "\n" * 1000 + "z")
    assert weird.count("\n") < pictures.MAX_DRAWN_LINES and not any(ord(c) < 32 and c != "\n" for c in weird)
    assert weird.startswith("ab[31mcde\nf g")
    assert len(pictures.drawable("가" * 10_000_000, limit=40, lines=1)) == 40


def test_a_huge_or_weird_title_does_not_blow_up_the_drawing(renders):
    start = time.perf_counter()
    pictures.heatmap(MATRIX, title=HUGE + "\x00\x07", xlabel=T("a", "가" * 10_000_000), ylabel="$\\frac{$")
    pictures.heatmaps([(T("yours", "제" * 5_000_000), MATRIX)], title=T(HUGE, HUGE), row_labels=[HUGE, "\x00"],
                      col_labels=["a"] * 10_000)
    picture = pictures.learning_curve({T(HUGE, "\n" * 100_000): [(0, 1.0)], "ref": [(0, 2.0)]}, title=None,
                                      xlabel=12345, ylabel=T("", ""))
    assert time.perf_counter() - start < 60
    for data in (picture, picture.get("ko")):
        width, height = png_size(data)
        assert width < 4000 and height < 2000


HOSTILE_CHECK = '''
import torch

from graders import pictures
from graders.checks import check
from graders.i18n import T

HUGE = "x" * 10_000_000


@check(points=1, visibility="visible", target="double", ko="그림: 엄청난 제목")
def test_picture_with_a_hostile_title(student, artifacts):
    """picture: a hostile title"""
    student.call("double", torch.ones(2))
    picture = pictures.heatmap(torch.eye(3), title=T(HUGE + "\\x00\\x1b[2J", "가" * 10_000_000),
                               xlabel="\\u202e$\\\\frac{$", ylabel=T("y\\n" * 100_000, "와이"))
    artifacts.image("hostile.png", picture, caption=T(HUGE, "가" * 10_000_000), alt=T("a", "가"))
'''


def test_a_check_drawing_a_hostile_title_leaves_the_grader_whole(engine, tmp_path):
    folder = tmp_path / "toy"
    shutil.copytree(TOY, folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "tests" / "public" / "test_hostile_picture.py").write_text(HOSTILE_CHECK)
    result = engine.grade(Job(str(folder), "toy.py", (TOY / "solution" / "toy.py").read_bytes()))
    check = next(t for t in result.tests if t.name == "picture: a hostile title")
    assert check.status == "passed", check.output
    artifact = next(a for a in result.artifacts if a.name == "hostile.png")
    for data in (artifact.data, artifact.data_in("ko")):
        width, height = png_size(data)
        assert width < 4000 and height < 2000
    assert len(artifact.caption) < 3000
    assert result.to_json(lang="ko")["extra_data"]["artifacts"]

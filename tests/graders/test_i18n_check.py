"""`python -m graders check` refuses an assignment whose texts lack Korean, English or an id."""
from graders.assignment import load_assignment, text_problems
from graders.cli import main
from tests.conftest import REPO, TOY

BROKEN = REPO / "tests" / "graders" / "toy_untranslated"


def test_check_fails_an_assignment_with_untranslated_texts(capsys):
    assert main(["check", str(BROKEN)]) == 2
    out = capsys.readouterr().out
    assert f"FAIL {BROKEN}" in out
    assert "check public.test_double.test_double_english_only has no Korean name" in out
    assert "mistake toy-untranslated/no-korean lacks its Korean or English text" in out
    assert "mistake id 'Returned Half' is not 'toy-untranslated/<kebab-case-name>'" in out
    assert "mistake id 'toy/negated' is not 'toy-untranslated/<kebab-case-name>'" in out


def test_each_untranslated_text_is_named_with_its_line():
    problems = text_problems(load_assignment(BROKEN))
    assert "tests/mistakes.py:7: an English-only text; use Mistake(id, en, ko) or T(en, ko)" in problems
    assert "tests/mistakes.py:11: a mistake without an id; use Mistake(id, en, ko)" in problems
    assert "tests/public/test_double.py:10: a mistake without an id; use Mistake(id, en, ko)" in problems
    assert "tests/public/test_double.py:19: fail() with an English-only message; use T(en, ko)" in problems


def test_a_local_T_that_hides_the_text_type_is_refused(tmp_path):
    import shutil
    copy = tmp_path / "toy"
    shutil.copytree(TOY, copy)
    check_file = copy / "tests" / "public" / "test_double.py"
    check_file.write_text(check_file.read_text().replace(
        '    x = torch.randn(3, 4, generator=rng)\n',
        '    B, T = 3, 4\n    x = torch.randn(B, T, generator=rng)\n    what = T("double(x)", "double(x)")\n'
    ).replace("from graders.i18n import Mistake", "from graders.i18n import Mistake, T"))
    problems = text_problems(load_assignment(copy))
    assert any("test_double_small() assigns a local T" in p for p in problems), problems


def test_the_course_and_the_toy_have_every_text_in_both_languages():
    for path in [TOY] + sorted(p for p in (REPO / "assignments").iterdir() if (p / "assignment.toml").is_file()):
        assert text_problems(load_assignment(path)) == [], path.name


PICTURE_TEXTS = '''

def _pictures(artifacts, weights, curve, ax, x, y):
    from graders import pictures
    artifacts.image("a.png", pictures.heatmap(weights, title="attention weights", ylabel=T("position", "위치")))
    pictures.heatmap(weights, xlabel=f"dimension {len(x)}")
    panels = [("yours / 제출", weights), (T("reference", "정답"), weights)]
    pictures.heatmaps(panels, title=T("weights", "가중치"))
    pictures.learning_curve({"your model": curve}, title=T("loss", "손실"))
    draw_png(weights, title="the net over the plane")
    ax.set_title("gradient through time")
    ax.plot(x, y, label="reference")
    pictures.heatmaps([(T("yours", "제출"), weights)], title=T("weights", "가중치"), row_labels=["Messi", "smiled"])
    pictures.learning_curve({T("yours", "제출"): curve}, xlabel=T("step", "스텝"), ylabel="y")
    ax.set_ylabel("||dL/dx_t||")
    ax.set_xlabel(tr(T("time step t", "시간 단계 t")))
'''


def test_english_only_picture_texts_are_named_with_their_line(tmp_path):
    """Titles, axis labels, panel and series names drawn in a picture need both languages."""
    import shutil
    copy = tmp_path / "toy"
    shutil.copytree(TOY, copy)
    check_file = copy / "tests" / "public" / "test_double.py"
    check_file.write_text(check_file.read_text().replace("from graders.i18n import Mistake",
                                                         "from graders.i18n import Mistake, T") + PICTURE_TEXTS)
    lines = check_file.read_text().splitlines()

    def line_of(fragment):
        return next(n for n, line in enumerate(lines, 1) if fragment in line)
    flagged = {p.split(":")[1] for p in text_problems(load_assignment(copy))
               if p.endswith("an English-only picture text; use T(en, ko)")}
    expected = {str(line_of(f)) for f in ('title="attention weights"', 'xlabel=f"dimension', "pictures.heatmaps(panels",
                                          '{"your model"', 'title="the net over', 'set_title("gradient',
                                          'label="reference"')}
    assert flagged == expected

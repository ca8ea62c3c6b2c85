"""The code view is highlighted once per text and marked line, then read from the cache."""
from django.core.cache import cache

from seqlab.submissions import source

SOURCE = b"def f(x):\n    return x +\n"


def test_a_submission_is_highlighted_once_however_often_its_page_is_shown(monkeypatch):
    cache.clear()
    calls = []
    real = source.code_html
    monkeypatch.setattr(source, "code_html", lambda text, mark=None: calls.append(mark) or real(text, mark=mark))
    first = source.source_files(filename="a.py", data=SOURCE)
    again = source.source_files(filename="a.py", data=SOURCE)
    assert calls == [None] and first == again


def test_the_marked_line_and_the_text_are_part_of_what_is_cached(monkeypatch):
    cache.clear()
    plain = source.source_files(filename="a.py", data=SOURCE)[0].html
    marked = source.source_files(filename="a.py", data=SOURCE, marks={"a.py": 2})[0].html
    other = source.source_files(filename="a.py", data=SOURCE + b"# more\n")[0].html
    assert 'class="hll"' in marked and 'class="hll"' not in plain
    assert len({plain, marked, other}) == 3

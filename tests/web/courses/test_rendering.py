"""What students write is shown to TAs as safe HTML that fetches nothing from elsewhere."""
from seqlab.courses.rendering import render_answer, render_markdown


def test_a_written_answer_shows_no_image_from_another_site():
    html = render_answer("see ![x](https://tracker.example/p.png?ta=1) and <img src=https://t.example/a>")
    assert "<img" not in html and "tracker.example/p.png" not in html.split("<a")[0]


def test_a_written_answer_keeps_its_math_and_line_breaks():
    html = render_answer("first line\nsecond $x^2$")
    assert "<br" in html and "<math" in html


def test_statements_written_by_instructors_may_still_show_images():
    assert "<img" in render_markdown("![diagram](diagram.png)")

"""The diagram, compared with the reference as a labelled graph; both drawn as pictures.

Score: the F1 of arrows, 2 * matched / (your arrows + the reference's), under the node
correspondence that matches the most arrows (tests/diagram.py). Full marks need every arrow
and no other. The pictures are drawn from the parsed labels and arrows only, never from the
submitted text.
"""
import hashlib
import importlib.util
import sys
from pathlib import Path

from graders import pictures
from graders.checks import check, fail
from graders.i18n import T


def _helper(name):
    """tests/<name>.py, loaded once per version of its text (tests/ is not a package)."""
    path = Path(__file__).resolve().parents[1] / f"{name}.py"
    key = f"seqlab_transformer_{name}_{hashlib.sha256(path.read_bytes()).hexdigest()[:12]}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, path)
        sys.modules[key] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[key])
    return sys.modules[key]


diagram = _helper("diagram")
REFERENCE = Path(__file__).resolve().parents[2] / "solution" / "diagram.dot"
SHOWN = 10          # arrows listed per kind; the pictures show them all
REFERENCE_TITLE = T("Reference", "정답")


def _attach(artifacts, name, source, caption, drawn):
    """`source(tr)`: the drawing's Graphviz text with its title and group names in one language."""
    svg = pictures.drawn(lambda tr: pictures.graphviz_svg(source(tr)), font=False)
    if svg is not None:
        artifacts.image(name, svg, caption=caption, alt=_alt(drawn), media_type="image/svg+xml")


def _alt(drawn):
    """The arrows of a drawing in words: the text alternative of its picture."""
    arrows = "; ".join(f"{drawn.labels[u]} -> {drawn.labels[v]}" for u, v in drawn.edges)
    return T("A diagram of {n} nodes and {m} arrows: {arrows}", "노드 {n}개와 화살표 {m}개의 다이어그램: {arrows}").format(
        n=len(drawn.labels), m=len(drawn.edges), arrows=arrows)


def _edge_lines(kind, edges, describe):
    lines = [kind + ":"] + ["  " + describe(u) + " -> " + describe(v) for u, v in edges[:SHOWN]]
    more = len(edges) - SHOWN
    return lines + ([T(f"  ... and {more} more", f"  ... 외 {more}개")] if more > 0 else [])


@check(points=8, visibility="after_due_date",
       ko="diagram.dot: 인코더 층 하나와 디코더 층 하나를 정답과 비교")
def test_diagram_matches_reference(files, artifacts):
    """diagram.dot: one encoder layer and one decoder layer, compared with the reference"""
    reference = diagram.parse(REFERENCE.read_bytes(), name="solution/diagram.dot")
    try:
        student = diagram.parse(files.get("diagram.dot"))
    except diagram.DiagramError as exc:
        _attach(artifacts, "diagram-reference.svg", lambda tr: diagram.dot_source(
            reference, title=REFERENCE_TITLE, groups=diagram.reference_groups(reference), tr=tr),
            T("The reference diagram", "정답 다이어그램"), reference)
        fail(exc.args[0])
    found = diagram.compare(student, reference)
    _attach(artifacts, "diagram-yours.svg",
            lambda tr: diagram.dot_source(student, title=T("Your diagram", "제출한 다이어그램"), red_edges=found.extra,
                                          groups=diagram.student_groups(found, reference), tr=tr),
            T("Your diagram as the grader read it; red: arrows the reference does not have",
              "채점기가 읽은 제출 다이어그램. 빨간색: 정답에 없는 화살표"), student)
    _attach(artifacts, "diagram-reference.svg",
            lambda tr: diagram.dot_source(reference, title=REFERENCE_TITLE, red_edges=found.missing,
                                          dashed_red=True, groups=diagram.reference_groups(reference), tr=tr),
            T("The reference; red dashed: arrows missing from yours",
              "정답 다이어그램. 빨간 점선: 제출한 다이어그램에 빠진 화살표"), reference)
    if not found.missing and not found.extra:
        return None
    return found.f1, _feedback(student, reference, found)


def _feedback(student, reference, found):
    """Summary and hints first (a message is cut at 2000 characters), then the arrows themselves."""
    extra = len(found.extra)
    lines = [T("{found} of the reference's {total} arrows found; {extra} of your {yours} arrows {has} no "
               "counterpart (score: F1 = {f1:.2f})",
               "정답의 화살표 {total}개 중 {found}개를 찾았습니다. 제출한 화살표 {yours}개 중 {extra}개는 정답에 "
               "대응하는 것이 없습니다 (점수: F1 = {f1:.2f})").format(
        found=len(found.matched), total=len(reference.edges), extra=extra, yours=len(student.edges),
        has="has" if extra == 1 else "have", f1=found.f1)]
    backwards = diagram.compare(student.reversed(), reference) if found.f1 < 0.5 else None
    if backwards and len(backwards.matched) > max(len(found.matched), len(reference.edges) // 2):
        lines.append(T("most of your arrows point against the data flow: draw each from the block that produces a "
                       "tensor to the block that reads it",
                       "화살표 대부분이 데이터 흐름과 반대 방향입니다: 텐서를 만드는 블록에서 그 텐서를 읽는 블록으로 "
                       "그리세요"))
    for node in student.unknown:
        hint = diagram.suggestion(student.labels[node])
        lines.append(T("node {node}: the label is not in the vocabulary", "노드 {node}: 레이블이 어휘에 없습니다").format(
            node=node) + (T(" (", " (") + hint + ")" if hint else ""))
    counts = diagram.count_differences(student, reference)
    if counts:
        lines += [T("node counts:", "노드 수:")] + ["  " + line for line in counts]
    if found.missing:
        lines += _edge_lines(T("missing arrows", "빠진 화살표"), found.missing, lambda n: diagram.describe_reference_node(reference, n))
    if found.extra:
        lines += _edge_lines(T("extra arrows", "정답에 없는 화살표"), found.extra,
                             lambda n: diagram.describe_student_node(student, reference, found, n))
    if student.repeated_edges:
        lines.append(T("({n} arrow(s) drawn more than once were counted once)",
                       "(두 번 이상 그린 화살표 {n}개는 한 번만 셌습니다)").format(n=student.repeated_edges))
    if not found.exhaustive:
        lines.append(T("(your diagram is large: the node correspondence was searched within a step budget)",
                       "(다이어그램이 커서 노드 대응은 정해진 탐색 단계 안에서만 찾았습니다)"))
    return T("\n", "\n").join(lines)

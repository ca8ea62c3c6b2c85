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

from graders.checks import check, fail
from graders.pictures import graphviz_svg


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


def _attach(artifacts, name, source, caption):
    svg = graphviz_svg(source)
    if svg is not None:
        artifacts.image(name, svg, caption=caption, media_type="image/svg+xml")


def _edge_lines(kind, edges, describe):
    lines = [f"{kind}:"] + [f"  {describe(u)} -> {describe(v)}" for u, v in edges[:SHOWN]]
    return lines + ([f"  ... and {len(edges) - SHOWN} more"] if len(edges) > SHOWN else [])


@check(points=8, visibility="after_due_date")
def test_diagram_matches_reference(files, artifacts):
    """diagram.dot: one encoder layer and one decoder layer, compared with the reference"""
    reference = diagram.parse(REFERENCE.read_bytes(), name="solution/diagram.dot")
    try:
        student = diagram.parse(files.get("diagram.dot"))
    except diagram.DiagramError as exc:
        _attach(artifacts, "diagram-reference.svg", diagram.dot_source(
            reference, title="Reference", groups=diagram.reference_groups(reference)), "The reference diagram")
        fail(str(exc))
    found = diagram.compare(student, reference)
    _attach(artifacts, "diagram-yours.svg",
            diagram.dot_source(student, title="Your diagram", red_edges=found.extra,
                               groups=diagram.student_groups(found, reference)),
            "Your diagram as the grader read it; red: arrows the reference does not have")
    _attach(artifacts, "diagram-reference.svg",
            diagram.dot_source(reference, title="Reference", red_edges=found.missing, dashed_red=True,
                               groups=diagram.reference_groups(reference)),
            "The reference; red dashed: arrows missing from yours")
    if not found.missing and not found.extra:
        return None
    return found.f1, _feedback(student, reference, found)


def _feedback(student, reference, found):
    """Summary and hints first (a message is cut at 2000 characters), then the arrows themselves."""
    extra = len(found.extra)
    lines = [f"{len(found.matched)} of the reference's {len(reference.edges)} arrows found; {extra} of your "
             f"{len(student.edges)} arrows {'has' if extra == 1 else 'have'} no counterpart "
             f"(score: F1 = {found.f1:.2f})"]
    backwards = diagram.compare(student.reversed(), reference) if found.f1 < 0.5 else None
    if backwards and len(backwards.matched) > max(len(found.matched), len(reference.edges) // 2):
        lines.append("most of your arrows point against the data flow: draw each from the block that produces "
                     "a tensor to the block that reads it")
    for node in student.unknown:
        hint = diagram.suggestion(student.labels[node])
        lines.append(f"node {node}: the label is not in the vocabulary" + (f" ({hint})" if hint else ""))
    counts = diagram.count_differences(student, reference)
    if counts:
        lines += ["node counts:"] + [f"  {line}" for line in counts]
    if found.missing:
        lines += _edge_lines("missing arrows", found.missing, lambda n: diagram.describe_reference_node(reference, n))
    if found.extra:
        lines += _edge_lines("extra arrows", found.extra,
                             lambda n: diagram.describe_student_node(student, reference, found, n))
    if student.repeated_edges:
        lines.append(f"({student.repeated_edges} arrow(s) drawn more than once were counted once)")
    if not found.exhaustive:
        lines.append("(your diagram is large: the node correspondence was searched within a step budget)")
    return "\n".join(lines)

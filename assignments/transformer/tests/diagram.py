"""The diagram task: read a diagram.dot, compare it with the reference as a labelled graph, draw it.

A submitted diagram is data. It is parsed with pydot (a pure-Python parser: nothing in the file
is executed), reduced to node labels and edges, and only that reduction is ever drawn: the
pictures come from a clean digraph rebuilt here, never from the student's text, because
Graphviz attributes can read files (image=, shapefile=, fontpath=, ...).

Nodes are identified by label, so repeated labels ("Add & Norm" five times) are told apart by
structure: the comparison looks for the label-preserving correspondence between the student's
nodes and the reference's that matches the most edges (branch and bound, exact within a step
budget far above what a one-layer diagram needs). Edges the best correspondence cannot match
are the missing and the extra ones, and the score is the F1 of matched edges.

Loaded by the check files through their `_helper` (tests/ is not a package).
"""
from __future__ import annotations

import contextlib
import difflib
import hashlib
import html
import io
import re
from collections import Counter
from dataclasses import dataclass, field

from graders.i18n import T

VOCABULARY = (
    "Input Embedding", "Output Embedding", "Positional Encoding", "Multi-Head Attention",
    "Masked Multi-Head Attention", "Add & Norm", "Feed Forward", "Linear", "Softmax",
)
MAX_BYTES = 32 * 1024          # a one-layer diagram is about 2 KiB
MAX_NODES = 60
MAX_ARROWS = 100               # the reference has 20; pyparsing spends ~10 ms on each edge statement
SEARCH_STEPS = 50_000          # branch-and-bound budget (~0.5 s); a drawing with the reference's label
                               # counts needs at most a few thousand steps
PSEUDO_NODES = {"node", "edge", "graph"}

# What each reference node is, for feedback about edges that repeat labels (keys: ids in solution/diagram.dot).
_ENCODER, _DECODER, _OUTPUT = T("encoder", "인코더"), T("decoder", "디코더"), T("output", "출력")
ROLES = {
    "enc_embed": _ENCODER, "enc_pos": _ENCODER, "enc_attn": T("encoder self-attention", "인코더 셀프 어텐션"),
    "enc_norm1": T("encoder, after self-attention", "인코더, 셀프 어텐션 다음"), "enc_ffn": _ENCODER,
    "enc_norm2": T("encoder, after Feed Forward: the encoder's output", "인코더, Feed Forward 다음: 인코더의 출력"),
    "dec_embed": _DECODER, "dec_pos": _DECODER, "dec_self": _DECODER,
    "dec_norm1": T("decoder, after masked self-attention", "디코더, 마스크드 셀프 어텐션 다음"),
    "dec_cross": T("decoder cross-attention", "디코더 크로스 어텐션"),
    "dec_norm2": T("decoder, after cross-attention", "디코더, 크로스 어텐션 다음"), "dec_ffn": _DECODER,
    "dec_norm3": T("decoder, after Feed Forward", "디코더, Feed Forward 다음"), "linear": _OUTPUT, "softmax": _OUTPUT,
}


class DiagramError(Exception):
    """The file cannot be read as a diagram; the message tells the student why."""


def label_key(label: str) -> str:
    """Spelling-insensitive identity of a label: "Add & Norm", "add and norm", "Add&Norm" agree."""
    text = html.unescape(label).lower().replace("&", " ").replace("+", " ")
    text = re.sub(r"\band\b", " ", text)
    return re.sub(r"[^0-9a-z]+", "", text)


CANONICAL = {label_key(label): label for label in VOCABULARY}


@dataclass(frozen=True)
class Diagram:
    labels: dict[str, str]                 # node id -> vocabulary label, or the label as written if unknown
    edges: tuple[tuple[str, str], ...]     # (from id, to id), first occurrence order, no repeats
    unknown: tuple[str, ...] = ()          # ids whose label is not in the vocabulary
    repeated_edges: int = 0                # arrows drawn more than once (counted once)

    def known(self, node: str) -> bool:
        return node not in self.unknown

    def reversed(self) -> "Diagram":
        return Diagram(self.labels, tuple((v, u) for u, v in self.edges), self.unknown, self.repeated_edges)


# --------------------------------------------------------------------------- parsing

_PARSED: dict[tuple[bytes, str], Diagram | DiagramError] = {}
_PARSED_KEEP = 16


def parse(data: bytes | None, *, name: str = "diagram.dot") -> Diagram:
    """The diagram in `data`; DiagramError with a message for the student if it is unusable.

    pyparsing needs about 0.3 s for a 2 KiB diagram, so results are remembered: the public and
    the hidden check of one submission read the same bytes, and the reference never changes."""
    key = (hashlib.sha256(data).digest() if data is not None else b"", name)
    if key not in _PARSED:
        if len(_PARSED) >= _PARSED_KEEP:
            _PARSED.pop(next(iter(_PARSED)))
        try:
            _PARSED[key] = _parse(data, name)
        except DiagramError as exc:
            _PARSED[key] = exc
    found = _PARSED[key]
    if isinstance(found, DiagramError):
        raise DiagramError(found.args[0])
    return found


def _parse(data: bytes | None, name: str) -> Diagram:
    if data is None:
        raise DiagramError(T("{name} was not submitted: upload it together with transformer.py (select both files, "
                             "or a zip holding both)",
                             "{name}이(가) 제출되지 않았습니다: transformer.py와 함께 올리세요 (두 파일을 함께 선택하거나 "
                             "두 파일을 담은 zip 파일)").format(name=name))
    if len(data) > MAX_BYTES:
        raise DiagramError(T("{name} is {n} KiB; a diagram of one layer each needs a few KiB (the limit is {m} KiB)",
                             "{name}의 크기가 {n} KiB입니다. 층 하나씩 그린 다이어그램은 몇 KiB면 됩니다 (제한 {m} KiB)"
                             ).format(name=name, n=len(data) >> 10, m=MAX_BYTES >> 10))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DiagramError(T("{name} is not UTF-8 text (byte {n}); save it as UTF-8",
                             "{name}은(는) UTF-8 텍스트가 아닙니다 ({n}번째 바이트). UTF-8로 저장하세요").format(
            name=name, n=exc.start)) from None
    if not text.strip():
        raise DiagramError(T("{name} is empty; it must hold one digraph {{ ... }}",
                             "{name}이(가) 비어 있습니다. digraph {{ ... }} 하나가 들어 있어야 합니다").format(name=name))
    if len(re.findall(r"->|(?<!-)--(?!-)", text)) > MAX_ARROWS:      # before pyparsing; "// ----" is no arrow
        raise DiagramError(T("{name} has more than {n} arrows; one encoder layer and one decoder layer need far fewer",
                             "{name}에 화살표가 {n}개보다 많습니다. 인코더 층 하나와 디코더 층 하나에는 훨씬 적게 "
                             "필요합니다").format(name=name, n=MAX_ARROWS))
    graph = _read_dot(text, name)
    labels: dict[str, str] = {}
    edges: list[tuple[str, str]] = []
    _collect(graph, labels, edges)
    if not labels:
        raise DiagramError(T("{name} has no nodes yet: add one node per block of the two layers",
                             "{name}에 아직 노드가 없습니다: 두 층의 블록마다 노드를 하나씩 넣으세요").format(name=name))
    if len(labels) > MAX_NODES or len(edges) > MAX_ARROWS:
        raise DiagramError(T("{name} has {n} nodes and {e} arrows; one encoder layer and one decoder layer need far "
                             "fewer (limits: {mn} nodes, {me} arrows)",
                             "{name}에 노드 {n}개와 화살표 {e}개가 있습니다. 인코더 층 하나와 디코더 층 하나에는 훨씬 "
                             "적게 필요합니다 (제한: 노드 {mn}개, 화살표 {me}개)").format(
            name=name, n=len(labels), e=len(edges), mn=MAX_NODES, me=MAX_ARROWS))
    unique = list(dict.fromkeys(edges))
    resolved = {node: CANONICAL.get(label_key(label), label) for node, label in labels.items()}
    unknown = tuple(node for node, label in resolved.items() if label not in VOCABULARY)
    return Diagram(resolved, tuple(unique), unknown, len(edges) - len(unique))


def _read_dot(text: str, name: str):
    import pydot
    chatter = io.StringIO()
    try:
        # pydot prints pyparsing's error to stdout and returns None; keep the text for the student.
        with contextlib.redirect_stdout(chatter), contextlib.redirect_stderr(chatter):
            graphs = pydot.graph_from_dot_data(text)
    except RecursionError:
        raise DiagramError(T("{name} nests braces too deeply to be a diagram",
                             "{name}의 중괄호가 너무 깊게 중첩되어 다이어그램으로 읽을 수 없습니다").format(name=name)) from None
    except Exception as exc:  # pydot raises assorted errors on odd input; all mean "not readable"
        raise DiagramError(T("{name} could not be read as Graphviz DOT ({why})",
                             "{name}을(를) Graphviz DOT으로 읽을 수 없습니다 ({why})").format(
            name=name, why=type(exc).__name__)) from None
    if not graphs:
        where = next((line.strip() for line in chatter.getvalue().splitlines() if "line:" in line), "")
        raise DiagramError(T("{name} is not valid Graphviz DOT{where}; it must read digraph transformer {{ ... }}",
                             "{name}은(는) 올바른 Graphviz DOT이 아닙니다{where}. digraph transformer {{ ... }} 형식이어야 "
                             "합니다").format(name=name, where=f": {where}" if where else ""))
    if len(graphs) != 1:
        raise DiagramError(T("{name} holds {n} graphs; draw both layers in one digraph",
                             "{name}에 그래프가 {n}개 있습니다. 두 층을 digraph 하나에 그리세요").format(
            name=name, n=len(graphs)))
    graph = graphs[0]
    if graph.get_type() != "digraph":
        raise DiagramError(T("{name} is an undirected graph (graph {{ a -- b }}); write a digraph with arrows: "
                             "digraph transformer {{ a -> b }}",
                             "{name}은(는) 무방향 그래프(graph {{ a -- b }})입니다. 화살표가 있는 digraph로 쓰세요: "
                             "digraph transformer {{ a -> b }}").format(name=name))
    return graph


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1].replace('\\"', '"')
    return text


def _node_id(endpoint: str) -> str:
    """The node of an edge endpoint, without a port ("a:n", "\"x\":e")."""
    endpoint = endpoint.strip()
    if endpoint.startswith('"'):
        end = endpoint.find('"', 1)
        while end > 0 and endpoint[end - 1] == "\\":
            end = endpoint.find('"', end + 1)
        return _unquote(endpoint[:end + 1]) if end > 0 else _unquote(endpoint)
    return endpoint.split(":", 1)[0]


def _label_text(raw: str, node: str) -> str:
    raw = raw.strip()
    if raw.startswith("<") and raw.endswith(">"):          # an HTML-like label
        text = html.unescape(re.sub(r"<[^>]*>", " ", raw[1:-1]))
    else:
        text = _unquote(raw).replace("\\N", node)
    text = re.sub(r"\\[nlr]", " ", text)
    return " ".join(text.split())


def _collect(graph, labels: dict[str, str], edges: list[tuple[str, str]]) -> None:
    """Nodes (id -> label, the last declaration winning, as in Graphviz) and edges, subgraphs included."""
    for node in graph.get_nodes():
        name = _unquote(node.get_name())
        if name in PSEUDO_NODES:
            continue
        raw = node.get_attributes().get("label")
        labels[name] = _label_text(raw, name) if raw is not None else labels.get(name, name)
    for edge in graph.get_edges():
        sources = _endpoints(edge.get_source())
        targets = _endpoints(edge.get_destination())
        for s in sources:
            for t in targets:
                edges.append((s, t))
                labels.setdefault(s, s)
                labels.setdefault(t, t)
    for sub in graph.get_subgraphs():
        _collect(sub, labels, edges)


def _endpoints(endpoint) -> list[str]:
    """`a`, or every node of a subgraph endpoint such as {b c}."""
    if isinstance(endpoint, str):
        return [_node_id(endpoint)]
    found: list[str] = []
    if isinstance(endpoint, dict) or hasattr(endpoint, "get"):
        for name in endpoint.get("nodes", {}) or {}:
            if _unquote(name) not in PSEUDO_NODES:
                found.append(_unquote(name))
        for sub in (endpoint.get("subgraphs", {}) or {}).values():
            for item in sub if isinstance(sub, (list, tuple)) else [sub]:
                found += _endpoints(item)
    return found


LEAVE_OUT = T("the paper's figure draws it, but this diagram runs from the embeddings to Softmax: leave it out",
              "논문의 그림에는 있지만 이 다이어그램은 임베딩에서 Softmax까지만 그립니다: 빼세요")
_USE_MHA = T('use "Multi-Head Attention", or "Masked Multi-Head Attention" in the decoder',
             '"Multi-Head Attention"을 쓰세요. 디코더에서는 "Masked Multi-Head Attention"입니다')
_CROSS = T('did you mean "Multi-Head Attention"? (the cross-attention is not masked)',
           '"Multi-Head Attention"을 뜻했나요? (크로스 어텐션은 가리지 않습니다)')
HINTS = {                      # labels students use for a block, by label_key, and what the vocabulary calls it
    **{key: LEAVE_OUT for key in ("inputs", "outputs", "outputsshiftedright", "outputprobabilities", "nx", "n")},
    "selfattention": _USE_MHA,
    "multiheadselfattention": _USE_MHA,
    "maskedselfattention": T('did you mean "Masked Multi-Head Attention"?', '"Masked Multi-Head Attention"을 뜻했나요?'),
    "crossattention": _CROSS,
    "encoderdecoderattention": _CROSS,
    "layernorm": T('did you mean "Add & Norm"? (one node for the residual sum and its LayerNorm)',
                   '"Add & Norm"을 뜻했나요? (잔차 합과 그 LayerNorm을 노드 하나로 그립니다)'),
    "ffn": T('did you mean "Feed Forward"?', '"Feed Forward"를 뜻했나요?'),
}
DID_YOU_MEAN = T('did you mean "{label}"?', '"{label}"을(를) 뜻했나요?')


def suggestion(label: str) -> str:
    """What the unknown `label` probably means, as advice for the student, or ""."""
    key = label_key(label)
    if key in HINTS:
        return HINTS[key]
    close = difflib.get_close_matches(key, list(CANONICAL), n=1, cutoff=0.6)
    return DID_YOU_MEAN.format(label=CANONICAL[close[0]]) if close else ""


# --------------------------------------------------------------------------- format

def format_problems(diagram: Diagram) -> list[str]:
    """What keeps a parsed diagram from being gradable as the task asks (no answer given away)."""
    problems = []
    for node in diagram.unknown:
        label = diagram.labels[node]
        hint = suggestion(label)
        problems.append(T('node {node} has the label "{label}", which is not in the vocabulary',
                          '노드 {node}의 레이블 "{label}"은(는) 어휘에 없습니다').format(node=node, label=_short(label))
                        + (T(" (", " (") + hint + ")" if hint else ""))
    used = {label for node, label in diagram.labels.items() if diagram.known(node)}
    missing = [label for label in VOCABULARY if label not in used]
    if missing:
        problems.append(T("no node is labelled {labels}", "레이블이 {labels}인 노드가 없습니다").format(
            labels=", ".join(f'"{label}"' for label in missing)))
    touched = {n for edge in diagram.edges for n in edge}
    lonely = [n for n in diagram.labels if n not in touched]
    if not diagram.edges:
        problems.append(T("the diagram has no arrows", "다이어그램에 화살표가 없습니다"))
    elif lonely:
        problems.append(T("nodes without any arrow: ", "화살표가 하나도 없는 노드: ")
                        + ", ".join(lonely[:8]) + (" ..." if len(lonely) > 8 else ""))
    loops = [u for u, v in diagram.edges if u == v]
    if loops:
        problems.append(T("arrows from a node to itself: ", "자기 자신으로 가는 화살표: ") + ", ".join(loops[:8]))
    if not missing and diagram.edges:
        softmax = {n for n, label in diagram.labels.items() if label == "Softmax"}
        for start in ("Input Embedding", "Output Embedding"):
            sources = {n for n, label in diagram.labels.items() if label == start}
            if not _reaches(diagram, sources, softmax):
                problems.append(T('"Softmax" cannot be reached from "{start}" along the arrows; arrows point the way '
                                  "the data flows, from a block's input to the block",
                                  '화살표를 따라 "{start}"에서 "Softmax"에 닿을 수 없습니다. 화살표는 데이터가 흐르는 '
                                  "방향, 즉 블록의 입력에서 블록으로 향합니다").format(start=start))
    return problems


def _reaches(diagram: Diagram, sources: set[str], targets: set[str]) -> bool:
    successors: dict[str, list[str]] = {}
    for u, v in diagram.edges:
        successors.setdefault(u, []).append(v)
    seen, todo = set(sources), list(sources)
    while todo:
        for nxt in successors.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return bool(seen & targets)


def _short(text: str, limit: int = 40) -> str:
    text = "".join(ch for ch in text if ch.isprintable())
    return text if len(text) <= limit else text[:limit - 1] + "…"


# --------------------------------------------------------------------------- comparison

@dataclass
class Comparison:
    mapping: dict[str, str]                                  # reference id -> student id
    matched: list[tuple[str, str]] = field(default_factory=list)   # reference edges found
    missing: list[tuple[str, str]] = field(default_factory=list)   # reference edges not found
    extra: list[tuple[str, str]] = field(default_factory=list)     # student edges with no counterpart
    exhaustive: bool = True                                  # False if the step budget ran out

    @property
    def f1(self) -> float:
        drawn = len(self.matched) + len(self.extra)
        expected = len(self.matched) + len(self.missing)
        return 2 * len(self.matched) / (drawn + expected) if drawn + expected else 0.0


def compare(student: Diagram, reference: Diagram) -> Comparison:
    """The label-preserving node correspondence that matches the most edges, and what it leaves over."""
    mapping, exhaustive = _best_mapping(student, reference)
    drawn = set(student.edges)
    comparison = Comparison(mapping=mapping, exhaustive=exhaustive)
    used = set()
    for u, v in reference.edges:
        pair = (mapping.get(u), mapping.get(v))
        if pair in drawn:
            comparison.matched.append((u, v))
            used.add(pair)
        else:
            comparison.missing.append((u, v))
    comparison.extra = [edge for edge in student.edges if edge not in used]
    return comparison


def _best_mapping(student: Diagram, reference: Diagram) -> tuple[dict[str, str], bool]:
    """Branch and bound over reference nodes in file order, each taking an unused student node of
    its label; an edge is scored when its later endpoint is placed.

    Pairing one more node never loses a matched edge, so some best correspondence pairs as many
    nodes of each label as both drawings have: a node is left unpaired only when its label has
    fewer unused student nodes than reference nodes still to place. With equal label counts that
    is 5! * 2 * 2 * 2 = 960 complete correspondences at most, before pruning."""
    nodes = list(reference.labels)
    position = {n: i for i, n in enumerate(nodes)}
    decided_at: dict[str, list[tuple[str, str]]] = {n: [] for n in nodes}
    for u, v in reference.edges:
        decided_at[u if position[u] >= position[v] else v].append((u, v))
    remaining = [0] * (len(nodes) + 1)
    for i in range(len(nodes) - 1, -1, -1):
        remaining[i] = remaining[i + 1] + len(decided_at[nodes[i]])
    candidates = {n: [s for s, x in student.labels.items() if x == reference.labels[n] and student.known(s)]
                  for n in nodes}
    still_to_place = Counter(reference.labels.values())        # reference nodes of each label not yet placed
    drawn = set(student.edges)
    assign: dict[str, str] = {}
    used: set[str] = set()
    best: dict = {"score": -1, "mapping": {}}
    steps = [0]

    def gain(node: str) -> int:
        return sum((assign.get(u), assign.get(v)) in drawn for u, v in decided_at[node])

    def search(i: int, score: int) -> None:
        steps[0] += 1
        if steps[0] > SEARCH_STEPS or score + remaining[i] <= best["score"]:
            return
        if i == len(nodes):
            best["score"], best["mapping"] = score, dict(assign)
            return
        node = nodes[i]
        label = reference.labels[node]
        free = [s for s in candidates[node] if s not in used]
        options = []
        for k, s in enumerate(free):
            assign[node] = s
            options.append((-gain(node), k, s))
            del assign[node]
        still_to_place[label] -= 1
        for negative_gain, _, s in sorted(options):
            assign[node] = s
            used.add(s)
            search(i + 1, score - negative_gain)
            used.discard(s)
            del assign[node]
        if len(free) <= still_to_place[label]:
            search(i + 1, score)                 # too few student nodes of this label: leave one unpaired
        still_to_place[label] += 1

    search(0, 0)
    return best["mapping"], steps[0] <= SEARCH_STEPS


# --------------------------------------------------------------------------- feedback

def describe_reference_node(reference: Diagram, node: str) -> str:
    role = ROLES.get(node, "")
    return f'"{reference.labels[node]}"' + (T(" (", " (") + role + ")" if role else "")


def describe_student_node(student: Diagram, reference: Diagram, comparison: Comparison, node: str) -> str:
    inverse = {s: r for r, s in comparison.mapping.items()}
    if node in inverse:
        return describe_reference_node(reference, inverse[node])
    return T('"{label}" (your node {node})', '"{label}" (제출한 노드 {node})').format(
        label=_short(student.labels[node]), node=_short(node, 24))


def count_differences(student: Diagram, reference: Diagram) -> list[str]:
    """Labels drawn a different number of times than in the reference."""
    lines = []
    for label in VOCABULARY:
        have = sum(1 for n, x in student.labels.items() if x == label and student.known(n))
        want = sum(1 for x in reference.labels.values() if x == label)
        if have != want:
            lines.append(T('"{label}": {have} node{s}, the two layers have {want}',
                           '"{label}": 노드 {have}개, 두 층에는 {want}개').format(
                label=label, have=have, s="s" if have != 1 else "", want=want))
    return lines


# --------------------------------------------------------------------------- pictures

RED = "#d62728"
ENCODER, DECODER = T("Encoder", "인코더"), T("Decoder", "디코더")


def dot_source(diagram: Diagram, *, title: str, red_edges=(), dashed_red: bool = False,
               groups: dict[str, str] | None = None, tr=str) -> str:
    """A clean digraph from labels and edges only: fresh ids, escaped labels, our attributes.
    The title and the group names are drawn through `tr` (graders.pictures.drawn: one language);
    the labels are the diagram's own."""
    ids = {node: f"n{i}" for i, node in enumerate(diagram.labels)}
    red = set(red_edges)
    lines = ["digraph diagram {", "  rankdir=BT;", f'  label="{_escape(tr(title))}"; labelloc=t; fontsize=12;',
             '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=11];']
    clusters: dict[str, list[str]] = {}
    for node, label in diagram.labels.items():
        style = f', color="{RED}", fontcolor="{RED}", style="rounded,dashed"' if not diagram.known(node) else ""
        line = f'  {ids[node]} [label="{_escape(_short(label))}"{style}];'
        group = (groups or {}).get(node)
        if group:
            clusters.setdefault(group, []).append(line)
        else:
            lines.append(line)
    for k, (group, members) in enumerate(sorted(clusters.items())):
        lines += [f"  subgraph cluster_{k} {{", f'    label="{_escape(tr(group))}"; color="#999999";']
        lines += ["  " + m for m in members] + ["  }"]
    for u, v in diagram.edges:
        attrs = f' [color="{RED}", penwidth=2{", style=dashed" if dashed_red else ""}]' if (u, v) in red else ""
        lines.append(f"  {ids[u]} -> {ids[v]}{attrs};")
    lines.append("}")
    return "\n".join(lines)


def _escape(text: str) -> str:
    text = "".join(ch for ch in text if ch.isprintable())
    return text.replace("\\", "\\\\").replace('"', '\\"')


def reference_groups(reference: Diagram) -> dict[str, str]:
    return {n: ENCODER if n.startswith("enc_") else DECODER for n in reference.labels
            if n.startswith(("enc_", "dec_"))}


def student_groups(comparison: Comparison, reference: Diagram) -> dict[str, str]:
    """Student nodes placed in the cluster of the reference node they correspond to."""
    groups = reference_groups(reference)
    return {s: groups[r] for r, s in comparison.mapping.items() if r in groups}

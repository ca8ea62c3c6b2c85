"""Grade every transformer content file through the real engine.

Correct submissions in any style earn full marks; each file in transformer/ with one classic
mistake loses exactly the checks that mistake should cost, and the feedback names it. The
diagrams in transformer/diagrams/ are graded beside a transformer.py that does not compile,
which also shows that the diagram checks (files only) run without the module.
"""
import hashlib
import importlib.util
import itertools
import random
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from graders.contracts import Job
from tests.content.naming import is_named

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = ROOT / "assignments" / "transformer"
FILES = Path(__file__).resolve().parent / "transformer"
DIAGRAMS = FILES / "diagrams"
REFERENCE_DOT = (ASSIGNMENT / "solution" / "diagram.dot").read_bytes()
NOT_PYTHON = b"def broken(:\n"
POINTS = 58

P_LN = "LayerNorm on a small batch"
P_FFN = "PositionwiseFFN on a small batch"
P_ENC = "EncoderLayer with the grader's weights, no mask"
P_DEC = "DecoderLayer with the grader's weights and a causal tgt_mask"
P_TR = "Transformer logits with the grader's weights"
P_DOT = "diagram.dot is a digraph labelled with the vocabulary"
LN_PARAMS = "LayerNorm: parameters gamma and beta, starting at ones and zeros"
LN_TORCH = "LayerNorm: agrees with nn.LayerNorm on 2-D, 3-D and 4-D inputs and a custom eps"
LN_TINY = "LayerNorm: rows of tiny variance, where the place of eps matters"
LN_GRAD = "LayerNorm: gradients reach x, gamma and beta"
FFN_PARAMS = "PositionwiseFFN: linear1 and linear2 with their shapes"
FFN_SIZES = "PositionwiseFFN: d_ff smaller and larger than d_model, any leading axes"
FFN_EVAL = "PositionwiseFFN: dropout=0.5 is switched off by eval()"
ENC_PARAMS = "EncoderLayer: submodule and parameter names and shapes"
ENC_SIZES = "EncoderLayer: post-norm sub-layers on several sizes"
ENC_MASKS = "EncoderLayer: a padding mask (B, 1, T) and a full mask (B, T, T)"
ENC_TORCH = "EncoderLayer: agrees with nn.TransformerEncoderLayer (post-norm, ReLU)"
DEC_PARAMS = "DecoderLayer: submodule and parameter names and shapes"
DEC_SIZES = "DecoderLayer: causal self-attention, then cross-attention, on several sizes"
DEC_MEMORY = "DecoderLayer: cross-attention reads memory"
DEC_MEMORY_MASK = "DecoderLayer: a memory padding mask (B, 1, T_src)"
DEC_TORCH = "DecoderLayer: agrees with nn.TransformerDecoderLayer (post-norm, ReLU)"
TR_PARAMS = "Transformer: submodule and parameter names and shapes"
TR_LOGITS = "Transformer: logits on several sizes, source and target of different lengths"
TR_CAUSAL = "Transformer: later target tokens do not change earlier logits"
TR_SOURCE = "Transformer: the source changes the logits at every target position"
TR_EMBED = "Transformer: embeddings times sqrt(d_model) plus sinusoidal positions, up to max_len"
TR_SMALLEST = "Transformer: a batch of one, one source and one target token, one layer"
TR_DROPOUT = "Transformer: dropout acts in training mode and is off after eval()"
TR_GRAD = "Transformer: gradients reach every parameter"
DOT = "diagram.dot: one encoder layer and one decoder layer, compared with the reference"

LN = frozenset({P_LN, LN_TORCH, LN_TINY, LN_GRAD})
FFN = frozenset({P_FFN, FFN_SIZES, FFN_EVAL})
ENC = frozenset({P_ENC, ENC_SIZES, ENC_MASKS, ENC_TORCH})
DEC = frozenset({P_DEC, DEC_SIZES, DEC_MEMORY, DEC_MEMORY_MASK, DEC_TORCH})
MODEL = frozenset({P_TR, TR_LOGITS, TR_EMBED, TR_SMALLEST, TR_DROPOUT, TR_GRAD})   # compared with the reference
LAYERS = ENC | DEC | MODEL
STRUCTURE = frozenset({ENC_PARAMS, DEC_PARAMS, TR_PARAMS})
FUTURE = frozenset({P_TR, TR_LOGITS, TR_CAUSAL, TR_EMBED, TR_DROPOUT, TR_GRAD})    # T = 1 cannot see a future
DIAGRAM_CHECKS = frozenset({P_DOT, DOT})


@dataclass(frozen=True)
class Mistake:
    failing: frozenset          # exactly the checks this mistake must cost
    named: dict                 # check -> the mistake's id its feedback names, or a phrase (tests/content/naming.py)


def _named(text, checks):
    return {check: text for check in checks}


MISTAKES = {
    # The unbiased variance shows on every input; eps outside the root is invisible there, so the
    # Annotated Transformer's LayerNorm is named in full only on rows of tiny variance.
    "ln_unbiased_variance": Mistake(LN | LAYERS, _named("transformer/ln-unbiased", {P_LN, LN_TORCH, LN_TINY, P_ENC, P_DEC,
                                                                              P_TR, ENC_SIZES, DEC_SIZES, TR_LOGITS})),
    "ln_annotated_transformer": Mistake(LN | LAYERS, {**_named("transformer/ln-unbiased", {P_LN, LN_TORCH, P_ENC, TR_LOGITS}),
                                                      LN_TINY: "transformer/ln-annotated"}),
    # eps outside the root moves the model's outputs by about 1e-5, right at the tolerance: one
    # logit of the long-sequence case and two gradient entries cross it.
    "ln_eps_outside_sqrt": Mistake(frozenset({LN_TORCH, LN_TINY, TR_EMBED, TR_GRAD}),
                                   _named("transformer/ln-eps-outside", {LN_TORCH, LN_TINY, TR_EMBED})),
    "ffn_no_relu": Mistake(FFN | LAYERS, _named("transformer/ffn-no-relu", {P_FFN, FFN_SIZES, FFN_EVAL, P_ENC, P_DEC, P_TR,
                                                                DEC_MEMORY, TR_LOGITS})),
    "ffn_relu_after_linear2": Mistake(FFN | LAYERS, _named("transformer/ffn-relu-after", {P_FFN, FFN_SIZES, P_ENC,
                                                                                        ENC_TORCH, P_TR})),
    "pre_norm": Mistake(LAYERS, _named("transformer/pre-norm", {P_ENC, P_DEC, P_TR, ENC_SIZES, ENC_MASKS, ENC_TORCH, DEC_SIZES,
                                                    DEC_MEMORY, DEC_MEMORY_MASK, DEC_TORCH, TR_LOGITS, TR_EMBED,
                                                    TR_SMALLEST})),
    "norm_then_add": Mistake(LAYERS, _named("transformer/norm-then-add", {P_ENC, P_DEC, P_TR, ENC_SIZES,
                                                                           DEC_SIZES, TR_LOGITS})),
    "no_residual_ffn": Mistake(LAYERS, _named("transformer/no-residual-ffn",
                                              {P_ENC, P_DEC, P_TR, ENC_SIZES, ENC_TORCH, DEC_SIZES, DEC_TORCH,
                                               TR_LOGITS, TR_SMALLEST})),
    "decoder_sees_future": Mistake(FUTURE, {**_named("transformer/causal-none", {P_TR, TR_LOGITS, TR_EMBED}),
                                            TR_CAUSAL: "transformer/sees-future"}),
    "decoder_ignores_tgt_mask": Mistake(DEC | FUTURE, {**_named("transformer/tgt-mask-ignored", {P_DEC, DEC_SIZES,
                                                                                           DEC_MEMORY, DEC_TORCH}),
                                                       TR_CAUSAL: "transformer/sees-future"}),
    "causal_mask_inverted": Mistake(FUTURE | {TR_SMALLEST}, {**_named("transformer/causal-inverted",
                                                                      {P_TR, TR_LOGITS, TR_EMBED, TR_SMALLEST}),
                                                             TR_CAUSAL: "transformer/sees-future"}),
    # Attending over its own unmasked states, the decoder's cross-attention also leaks the future.
    "cross_attention_reads_x": Mistake(DEC | MODEL | {TR_CAUSAL, TR_SOURCE}, {
        **_named("transformer/cross-reads-x", {P_DEC, DEC_SIZES, DEC_MEMORY, DEC_TORCH, P_TR, TR_LOGITS}),
        TR_SOURCE: "transformer/source-unused"}),
    # With one layer the two readings agree, so the one-layer checks cannot tell.
    "memory_per_layer": Mistake(frozenset({P_TR, TR_LOGITS, TR_DROPOUT, TR_GRAD}),
                                _named("transformer/memory-per-layer", {P_TR, TR_LOGITS})),
    # Copied from nn.Transformer: the extra norms also show as parameters the statement does not have.
    "final_norm": Mistake(MODEL | {TR_PARAMS}, {**_named("transformer/final-norm",
                                                         {P_TR, TR_LOGITS, TR_EMBED, TR_SMALLEST}),
                                                TR_PARAMS: "unexpected encoder_norm.gamma"}),
    "embeddings_not_scaled": Mistake(MODEL, _named("transformer/emb-not-scaled",
                                                   {P_TR, TR_LOGITS, TR_EMBED, TR_SMALLEST})),
    "pe_sin_cos_swapped": Mistake(MODEL, _named("transformer/pe-swapped", {P_TR, TR_LOGITS, TR_EMBED, TR_SMALLEST})),
    "dropout_ignored": Mistake(frozenset({TR_DROPOUT}), _named("transformer/dropout-unused", {TR_DROPOUT})),
    "layer_returns_weights": Mistake(ENC, _named("returned a tuple of 2 items", ENC)),
    "banned_layer_norm": Mistake(LN | {LN_PARAMS}, _named("Banned API", LN | {LN_PARAMS})),
    "banned_sdpa": Mistake(LAYERS | STRUCTURE | {TR_CAUSAL, TR_SOURCE},
                           _named("scaled_dot_product_attention", LAYERS | STRUCTURE | {TR_CAUSAL, TR_SOURCE})),
}
CORRECT = sorted(p.stem for p in FILES.glob("correct_*.py"))


def _grade(engine, content, dot=REFERENCE_DOT):
    attachments = () if dot is None else (("diagram.dot", dot),)
    return engine.grade(Job(assignment_dir=str(ASSIGNMENT), filename="transformer.py", content=content,
                            attachments=attachments))


def _failed(result):
    return {t.name: t.output for t in result.tests if t.status != "passed"}


def _by_name(result):
    return {t.name: t for t in result.tests}


def test_every_content_file_is_covered():
    assert {p.stem for p in FILES.glob("*.py")} == set(MISTAKES) | set(CORRECT)
    assert {p.stem for p in DIAGRAMS.glob("*.dot")} == set(DIAGRAM_CASES)


@pytest.mark.parametrize("name", CORRECT)
def test_correct_style_earns_full_marks(engine, name):
    result = _grade(engine, (FILES / f"{name}.py").read_bytes())
    assert _failed(result) == {}
    assert result.score == result.max_score == POINTS


def test_reference_earns_full_marks_and_starter_nothing(engine):
    reference = _grade(engine, (ROOT / "reference" / "transformer.py").read_bytes())
    starter = _grade(engine, (ASSIGNMENT / "starter" / "transformer.py").read_bytes(),
                     dot=(ASSIGNMENT / "starter" / "diagram.dot").read_bytes())
    assert _failed(reference) == {}
    assert reference.score == reference.max_score == POINTS
    assert starter.score == 0
    code = {name: out for name, out in _failed(starter).items() if name not in DIAGRAM_CHECKS}
    assert len(code) == len(starter.tests) - 2
    assert all("NotImplementedError" in out for out in code.values())
    assert all("has no nodes yet" in _failed(starter)[c] for c in DIAGRAM_CHECKS)


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_mistake_loses_its_checks_and_is_named(engine, name):
    mistake = MISTAKES[name]
    result = _grade(engine, (FILES / f"{name}.py").read_bytes())
    failed = _failed(result)
    assert set(failed) == mistake.failing
    for check, text in mistake.named.items():
        assert is_named(_by_name(result)[check], text), f"{check}: {failed[check]}"


def test_hidden_messages_do_not_print_expected_values(engine):
    failed = _failed(_grade(engine, (FILES / "pre_norm.py").read_bytes()))
    assert "tensor(" not in "".join(failed.values()) and "[[" not in "".join(failed.values())


# --------------------------------------------------------------------------- diagrams

@dataclass(frozen=True)
class DiagramCase:
    format_ok: bool
    score: float                 # of the 8 points of the comparison
    says: tuple = ()             # substrings of the comparison's feedback (or of both, if unreadable)
    format_says: str = ""


def _f1_points(matched, drawn, expected=20):
    return 8 * 2 * matched / (drawn + expected)


DIAGRAM_CASES = {
    "correct_restyled": DiagramCase(True, 8.0),
    "memory_from_first_norm": DiagramCase(True, _f1_points(19, 20), (
        'missing arrows:\n  "Add & Norm" (encoder, after Feed Forward: the encoder\'s output) -> '
        '"Multi-Head Attention" (decoder cross-attention)',
        'extra arrows:\n  "Add & Norm" (encoder, after self-attention) -> '
        '"Multi-Head Attention" (decoder cross-attention)')),
    "no_residuals": DiagramCase(True, _f1_points(15, 15), (
        "15 of the reference's 20 arrows found; 0 of your 15 arrows have no counterpart",
        '"Positional Encoding" (encoder) -> "Add & Norm" (encoder, after self-attention)')),
    "pre_norm": DiagramCase(True, _f1_points(12, 18), ("12 of the reference's 20 arrows found",)),
    "unmasked_decoder": DiagramCase(False, _f1_points(18, 20), ('"Masked Multi-Head Attention": 0 nodes',),
                                    'no node is labelled "Masked Multi-Head Attention"'),
    "unknown_labels": DiagramCase(False, _f1_points(15, 20), ('(did you mean "Feed Forward"?)',),
                                  '"Positional Embedding", which is not in the vocabulary (did you mean '
                                  '"Positional Encoding"?)'),
    "paper_extras": DiagramCase(False, _f1_points(20, 23), ('"Inputs" (your node inputs) -> "Input Embedding"',),
                                "this diagram runs from the embeddings to Softmax: leave it out"),
    "reversed": DiagramCase(False, _f1_points(8, 20), ("most of your arrows point against the data flow",),
                            '"Softmax" cannot be reached from "Input Embedding"'),
    "hostile": DiagramCase(False, _f1_points(20, 21), ("(your node note) -> \"Linear\"",), "not in the vocabulary"),
    "malformed": DiagramCase(False, 0.0, ("is not valid Graphviz DOT", "(line:3, col:5)")),
    "undirected": DiagramCase(False, 0.0, ("is an undirected graph",)),
}


@pytest.fixture(scope="module")
def diagram_results(engine):
    """Each diagram graded once, beside a transformer.py that does not compile."""
    return {name: _grade(engine, NOT_PYTHON, dot=(DIAGRAMS / f"{name}.dot").read_bytes()) for name in DIAGRAM_CASES}


@pytest.mark.parametrize("name", sorted(DIAGRAM_CASES))
def test_diagram_is_graded_as_a_graph(diagram_results, name):
    case, result = DIAGRAM_CASES[name], diagram_results[name]
    checks = _by_name(result)
    assert (checks[P_DOT].status == "passed") is case.format_ok, checks[P_DOT].output
    assert case.format_says in checks[P_DOT].output
    assert checks[DOT].score == pytest.approx(case.score, abs=1e-4), checks[DOT].output
    for text in case.says:
        assert text in checks[DOT].output, checks[DOT].output
    # The module did not compile: every code check fails on that, the diagram checks still run.
    code = [t for t in result.tests if t.name not in DIAGRAM_CHECKS]
    assert all(t.score == 0 and "SyntaxError" in t.output for t in code)


@pytest.mark.parametrize("name", sorted(n for n, c in DIAGRAM_CASES.items() if c.score > 0))
def test_diagram_pictures_come_from_labels_and_arrows_only(diagram_results, name):
    pictures = {a.name: a for a in diagram_results[name].artifacts}
    assert set(pictures) == {"diagram-yours.svg", "diagram-reference.svg"}
    for picture in pictures.values():
        assert picture.media_type == "image/svg+xml" and picture.check == DOT
        assert picture.data.lstrip().startswith((b"<?xml", b"<svg", b"<!--"))
        for leak in (b"root:", b"/etc/shadow", b"javascript:", b"<image", b"xlink:href"):
            assert leak not in picture.data


def test_missing_diagram_is_named_and_costs_only_the_diagram(engine):
    result = _grade(engine, (ROOT / "reference" / "transformer.py").read_bytes(), dot=None)
    failed = _failed(result)
    assert set(failed) == DIAGRAM_CHECKS
    assert all("diagram.dot was not submitted" in out for out in failed.values())
    assert result.score == POINTS - 10


# --------------------------------------------------------------------------- the matching itself

def _diagram_module():
    path = ASSIGNMENT / "tests" / "diagram.py"
    key = f"seqlab_transformer_diagram_{hashlib.sha256(path.read_bytes()).hexdigest()[:12]}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, path)
        sys.modules[key] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[key])
    return sys.modules[key]


def _brute_force(student, reference):
    """Most matched arrows over every correspondence that pairs min(counts) nodes of each label."""
    drawn = set(student.edges)
    groups = []
    for label in set(reference.labels.values()):
        refs = [n for n, x in reference.labels.items() if x == label]
        mine = [n for n, x in student.labels.items() if x == label and student.known(n)]
        k = min(len(refs), len(mine))
        groups.append([dict(zip(r, s)) for r in itertools.combinations(refs, k)
                       for s in itertools.permutations(mine, k)])
    best = 0
    for parts in itertools.product(*groups):
        mapping = {k: v for part in parts for k, v in part.items()}
        best = max(best, sum((mapping.get(u), mapping.get(v)) in drawn for u, v in reference.edges))
    return best


def test_the_best_correspondence_is_found_on_perturbed_diagrams():
    """Branch and bound against enumeration on diagrams with arrows dropped, added and rewired."""
    diagram = _diagram_module()
    reference = diagram.parse(REFERENCE_DOT, name="solution/diagram.dot")
    nodes = list(reference.labels)
    rng = random.Random(2017)
    for _ in range(25):
        edges = [e for e in reference.edges if rng.random() > 0.2]
        edges += [(rng.choice(nodes), rng.choice(nodes)) for _ in range(rng.randrange(0, 6))]
        labels = dict(reference.labels)
        if rng.random() < 0.5:                      # an extra repeated label
            labels["spare"] = "Add & Norm"
            edges.append((rng.choice(nodes), "spare"))
        student = diagram.Diagram(labels, tuple(dict.fromkeys(edges)))
        assert len(diagram.compare(student, reference).matched) == _brute_force(student, reference)


def test_every_reference_node_has_a_role_for_feedback():
    diagram = _diagram_module()
    reference = diagram.parse(REFERENCE_DOT, name="solution/diagram.dot")
    assert set(reference.labels) == set(diagram.ROLES)
    assert set(reference.labels.values()) == set(diagram.VOCABULARY)

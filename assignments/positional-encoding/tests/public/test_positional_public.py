"""Small visible checks: one of each function, on sizes you can print and inspect by hand."""
import torch

from graders import pictures
from graders.checks import CheckFailure, check, expect_close, expect_raises, fail
from graders.i18n import T
from graders.sandbox.proxy import StudentError

# the contract's tolerance for the table: float32 tables pass, a wrong formula does not
TABLE_ATOL = 1e-4


def _attach_table_picture(student, ref, artifacts):
    """Picture: the student's 64 x 32 table beside the reference's (scored elsewhere)."""
    try:
        table = student.call("sinusoidal_encoding", 64, 32)
    except StudentError:
        return
    if not isinstance(table, torch.Tensor) or tuple(table.shape) != (64, 32):
        return
    for name, label, matrix in (("yours", T("yours", "제출"), table),
                                ("reference", T("reference", "정답"), ref.sinusoidal_encoding(64, 32))):
        artifacts.image(f"positional-encoding-{name}.png",
                        pictures.heatmap(matrix, title=T("PE[p, i] ({name})", "PE[p, i] ({name})").format(name=label),
                                         xlabel=T("dimension i", "차원 i"), ylabel=T("position p", "위치 p")),
                        caption=T("Sinusoidal encoding, 64 positions x 32 dimensions ({name})",
                                  "사인파 위치 인코딩, 위치 64개 x 차원 32개 ({name})").format(name=label),
                        alt=T("Heat map of PE[p, i]: rows are positions p, columns dimensions i. ",
                              "PE[p, i] 히트맵: 행은 위치 p, 열은 차원 i. ")
                        + pictures.describe_matrices([(label, matrix)]))


@check(points=2, visibility="visible", target="sinusoidal_encoding",
       ko="사인파 인코딩: max_len=10, d_model=8인 표")
def test_small_table(student, ref, mistakes, artifacts):
    """Sinusoidal table for max_len=10, d_model=8"""
    _attach_table_picture(student, ref, artifacts)
    table = student.call("sinusoidal_encoding", 10, 8)
    expect_close(table, ref.sinusoidal_encoding(10, 8).double(), what="sinusoidal_encoding(10, 8)",
                 atol=TABLE_ATOL, mistakes=mistakes.sinusoidal(10, 8))


@check(points=1, visibility="visible", target="sinusoidal_encoding",
       ko="사인파 인코딩: d_model이 홀수면 ValueError")
def test_odd_d_model_is_rejected(student):
    """Sinusoidal encoding raises ValueError for an odd d_model"""
    expect_raises("ValueError", student.call, "sinusoidal_encoding", 4, 7, what="sinusoidal_encoding(4, 7)")


@check(points=2, visibility="visible", target="LearnedPositionalEmbedding",
       ko="학습형 위치 임베딩: x에 weight[:T]를 더함")
def test_learned_small(student, rng, mistakes):
    """Learned embedding adds weight[:T] to x"""
    module = student.new("LearnedPositionalEmbedding", 10, 4)
    weight = torch.randn(10, 4, generator=rng)
    state = module.state_dict()
    if "weight" not in state:
        fail(mistakes.NO_WEIGHT.format(module="LearnedPositionalEmbedding(10, 4)", found=sorted(state) or mistakes.NOTHING))
    state["weight"] = weight
    module.load_state_dict(state)
    x = torch.randn(2, 6, 4, generator=rng)
    try:
        out = module(x)
    except StudentError as err:
        hint = err.kind == "exception" and mistakes.learned_error(
            err.exc_message, tuple(err.exc_types), tuple(x.shape), 10)
        if hint:
            raise CheckFailure(mistakes.with_hint(err, hint)) from None
        raise
    expect_close(out, x.double() + weight.double()[:6], what=T("forward(x) for x of shape (2, 6, 4)",
                                                              "입력 x의 형태가 (2, 6, 4)일 때 forward(x)"),
                 mistakes=mistakes.learned(x, weight))


@check(points=2, visibility="visible", target="apply_rope",
       ko="RoPE: 형태가 (2, 5, 8)인 입력")
def test_rope_small(student, ref, rng, mistakes):
    """RoPE on an input of shape (2, 5, 8)"""
    x = torch.randn(2, 5, 8, generator=rng)
    expect_close(student.call("apply_rope", x), ref.apply_rope(x.double()), what="apply_rope(x)",
                 mistakes=mistakes.rope(x))

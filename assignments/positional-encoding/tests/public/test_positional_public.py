"""Small visible checks: one of each function, on sizes you can print and inspect by hand."""
import torch

from graders import pictures
from graders.checks import CheckFailure, check, expect_close, expect_raises, fail
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
    for name, matrix in (("yours", table), ("reference", ref.sinusoidal_encoding(64, 32))):
        artifacts.image(f"positional-encoding-{name}.png",
                        pictures.heatmap(matrix, title=f"PE[p, i] ({name})", xlabel="dimension i",
                                         ylabel="position p"),
                        caption=f"Sinusoidal encoding, 64 positions x 32 dimensions ({name})")


@check(points=2, visibility="visible", target="sinusoidal_encoding")
def test_small_table(student, ref, mistakes, artifacts):
    """Sinusoidal table for max_len=10, d_model=8"""
    _attach_table_picture(student, ref, artifacts)
    table = student.call("sinusoidal_encoding", 10, 8)
    expect_close(table, ref.sinusoidal_encoding(10, 8).double(), what="sinusoidal_encoding(10, 8)",
                 atol=TABLE_ATOL, mistakes=mistakes.sinusoidal(10, 8))


@check(points=1, visibility="visible", target="sinusoidal_encoding")
def test_odd_d_model_is_rejected(student):
    """Sinusoidal encoding raises ValueError for an odd d_model"""
    expect_raises("ValueError", student.call, "sinusoidal_encoding", 4, 7, what="sinusoidal_encoding(4, 7)")


@check(points=2, visibility="visible", target="LearnedPositionalEmbedding")
def test_learned_small(student, rng, mistakes):
    """Learned embedding adds weight[:T] to x"""
    module = student.new("LearnedPositionalEmbedding", 10, 4)
    weight = torch.randn(10, 4, generator=rng)
    state = module.state_dict()
    if "weight" not in state:
        fail(f"LearnedPositionalEmbedding(10, 4) has no parameter named `weight` "
             f"(its state_dict has {sorted(state) or 'nothing'})")
    state["weight"] = weight
    module.load_state_dict(state)
    x = torch.randn(2, 6, 4, generator=rng)
    try:
        out = module(x)
    except StudentError as err:
        hint = err.kind == "exception" and mistakes.learned_error(
            err.exc_message, tuple(err.exc_types), tuple(x.shape), 10)
        if hint:
            raise CheckFailure(f"{err}\nLikely mistake: {hint}") from None
        raise
    expect_close(out, x.double() + weight.double()[:6], what="forward(x) for x of shape (2, 6, 4)",
                 mistakes=mistakes.learned(x, weight))


@check(points=2, visibility="visible", target="apply_rope")
def test_rope_small(student, ref, rng, mistakes):
    """RoPE on an input of shape (2, 5, 8)"""
    x = torch.randn(2, 5, 8, generator=rng)
    expect_close(student.call("apply_rope", x), ref.apply_rope(x.double()), what="apply_rope(x)",
                 mistakes=mistakes.rope(x))

"""perceptron: the strict inequality on the boundary, scalar forms of b, a larger batch."""
import torch

from graders.checks import check
from graders.i18n import T

HIDDEN = "after_due_date"


@check(points=2, visibility=HIDDEN, target="perceptron",
       ko="perceptron: 경계 x·w + b = 0 위의 점은 0")
def test_boundary_points(student, ref, mistakes):
    """perceptron gives 0 for points exactly on the boundary x·w + b = 0"""
    # Small integers keep x @ w + b exact in float32 whatever the order of the sums.
    x = torch.tensor([[1.0, 1.0, 0.0], [2.0, -1.0, 1.0], [0.0, 0.0, 0.0], [3.0, 1.0, -2.0],
                      [-1.0, 2.0, 2.0], [1.0, 0.0, 1.0], [0.0, 1.0, -1.0]])
    w = torch.tensor([1.0, 2.0, -1.0])
    for b in (-3.0, 0.0, 2.0):
        mistakes.expect_perceptron(student.call("perceptron", x, w, b), ref.perceptron(x, w, b), x, w, b,
                                   what=T("perceptron(x, w, b={b:g}) with some x·w + b exactly 0",
                                          "perceptron(x, w, b={b:g}), 일부 x·w + b가 정확히 0").format(b=b))


@check(points=1, visibility=HIDDEN, target="perceptron",
       ko="perceptron: 0차원 텐서 b, d = 1, 배치 1개")
def test_scalar_forms(student, ref, rng, mistakes):
    """perceptron with b as a 0-d tensor, d = 1 and a batch of one"""
    cases = [(torch.tensor([[0.75], [-2.0], [1.5], [0.25]]), torch.tensor([2.0]), torch.tensor(-1.0)),
             (torch.tensor([[0.3, -0.7, 1.1, 0.2]]), torch.tensor([1.0, 0.5, -0.25, 2.0]), torch.tensor(0.125)),
             (torch.tensor([[0.3, -0.7, 1.1, 0.2]]), torch.tensor([1.0, 0.5, -0.25, 2.0]), -1.0)]
    for x, w, b in cases:
        label = T("a 0-d tensor b", "0차원 텐서 b") if isinstance(b, torch.Tensor) else T("a float b", "float b")
        mistakes.expect_perceptron(student.call("perceptron", x, w, b), ref.perceptron(x, w, b), x, w, b,
                                   what=T("perceptron on x of shape {shape} with {label}",
                                          "perceptron, 입력 x의 형태 {shape}, {label}").format(
                                       shape=tuple(x.shape), label=label))


@check(points=1, visibility=HIDDEN, target="perceptron",
       ko="perceptron: 10차원 입력 64개 배치, 입력을 바꾸지 않음")
def test_larger_batch(student, ref, rng, mistakes):
    """perceptron on a batch of 64 in 10 dimensions leaves its inputs unchanged"""
    b = torch.tensor(1.5)       # large enough that dropping it flips some of the 64 steps
    while True:
        x, w = torch.randn(64, 10, generator=rng), torch.randn(10, generator=rng) * 0.5
        if (x.double() @ w.double() + 1.5).abs().min() > 0.01:
            break
    out = student.call("perceptron", x, w, b, check_inputs=True)
    mistakes.expect_perceptron(out, ref.perceptron(x, w, b), x, w, b,
                               what=T("perceptron on x of shape (64, 10)", "형태가 (64, 10)인 x에 대한 perceptron"))

"""train_xor with other seeds, and its use of the seed.

The student's train_xor runs in the sandbox; the weights it returns are evaluated here,
with the reference forward pass, on the four XOR points.
"""
import torch

from graders.checks import check, fail

HIDDEN = "after_due_date"
KEYS = ("W1", "b1", "W2", "b2")


@check(points=3, visibility=HIDDEN, target="train_xor", timeout=60,
       ko="train_xor: 다른 시드로 XOR 분류, 키워드 인자")
def test_other_seed(student, mistakes, artifacts):
    """train_xor classifies XOR with another seed, arguments by keyword"""
    mistakes.expect_xor(student, artifacts, what="train_xor(steps=5000, lr=0.5, seed=1)", picture_always=False,
                        steps=5000, lr=0.5, seed=1)


@check(points=1, visibility=HIDDEN, target="train_xor", timeout=30,
       ko="train_xor: 재현 가능 (같은 시드는 같은 가중치, 다른 시드는 다른 가중치)")
def test_seeded(student, mistakes):
    """train_xor is reproducible: the same seed gives the same weights, another seed others"""
    first, again, other = (mistakes.xor_weights(student.call("train_xor", steps=50, lr=0.5, seed=seed),
                                                what=f"train_xor(steps=50, lr=0.5, seed={seed})")
                           for seed in (7, 7, 8))
    if not all(torch.equal(first[k], again[k]) for k in KEYS):
        fail(mistakes.XOR_NOT_REPRODUCIBLE)
    if all(torch.equal(first[k], other[k]) for k in KEYS):
        fail(mistakes.XOR_SEED_IGNORED)

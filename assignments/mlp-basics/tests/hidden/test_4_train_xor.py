"""train_xor with other seeds, and its use of the seed.

The student's train_xor runs in the sandbox; the weights it returns are evaluated here,
with the reference forward pass, on the four XOR points.
"""
import torch

from graders.checks import check, fail

HIDDEN = "after_due_date"
KEYS = ("W1", "b1", "W2", "b2")


@check(points=3, visibility=HIDDEN, target="train_xor", timeout=60)
def test_other_seed(student, mistakes, artifacts):
    """train_xor classifies XOR with another seed, arguments by keyword"""
    mistakes.expect_xor(student, artifacts, what="train_xor(steps=5000, lr=0.5, seed=1)", picture_always=False,
                        steps=5000, lr=0.5, seed=1)


@check(points=1, visibility=HIDDEN, target="train_xor", timeout=30)
def test_seeded(student, mistakes):
    """train_xor is reproducible: the same seed gives the same weights, another seed others"""
    first, again, other = (mistakes.xor_weights(student.call("train_xor", steps=50, lr=0.5, seed=seed),
                                                what=f"train_xor(steps=50, lr=0.5, seed={seed})")
                           for seed in (7, 7, 8))
    if not all(torch.equal(first[k], again[k]) for k in KEYS):
        fail("two calls of train_xor(steps=50, lr=0.5, seed=7) return different weights: draw the initial "
             "weights from torch.Generator().manual_seed(seed) (or call torch.manual_seed(seed) first)")
    if all(torch.equal(first[k], other[k]) for k in KEYS):
        fail("train_xor(seed=7) and train_xor(seed=8) return the same weights: the seed is ignored; "
             "draw the initial weights from a generator seeded with `seed`")

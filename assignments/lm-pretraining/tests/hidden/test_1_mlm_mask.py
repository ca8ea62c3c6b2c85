"""Hidden mlm_mask checks: other probabilities and vocabularies, the edges p = 0 and p = 1,
the generator, and untouched inputs.

Statistics need large batches: 256 x 256 positions give ~47,000 candidates, so a share
of 15% is measured to within ~1% at six standard deviations.
"""
from graders.checks import check, fail
from graders.i18n import T
from graders.sandbox.protocol import Seed


def _call(student, tokens, vocab, p, **kw):
    return student.call("mlm_mask", tokens, vocab.mask, vocab.size, vocab.specials, p=p, **kw)


@check(points=2, visibility="after_due_date", target="mlm_mask",
       ko="mlm_mask: p = 0.4와 p = 0.05일 때")
def test_other_probabilities(student, rng, mistakes):
    """mlm_mask with p = 0.4 and p = 0.05"""
    vocab = mistakes.SMALL
    for p, seed in ((0.4, 11), (0.05, 12)):
        tokens = mistakes.bert_batch(rng, vocab, 256, 256)
        mistakes.expect_mlm(_call(student, tokens, vocab, p, generator=Seed(seed)), tokens, vocab, p,
                            what=f"mlm_mask(p={p})")


@check(points=2, visibility="after_due_date", target="mlm_mask",
       ko="mlm_mask: BERT의 id([MASK] = 103, 어휘 30522)와 튜플로 준 special_ids")
def test_bert_vocabulary(student, rng, mistakes):
    """mlm_mask with BERT's ids ([MASK] = 103, vocab 30522) and special_ids as a tuple"""
    vocab = mistakes.BERT
    tokens = mistakes.bert_batch(rng, vocab, 256, 256)
    out = student.call("mlm_mask", tokens, vocab.mask, vocab.size, tuple(vocab.specials), 0.15, Seed(13))
    mistakes.expect_mlm(out, tokens, vocab, 0.15)


@check(points=2, visibility="after_due_date", target="mlm_mask",
       ko="mlm_mask: p = 0이면 아무것도, p = 1이면 특수 위치가 아닌 모든 위치를 선택")
def test_edge_probabilities(student, rng, mistakes):
    """mlm_mask with p = 0 picks nothing and with p = 1 every non-special position"""
    vocab = mistakes.SMALL
    tokens = mistakes.bert_batch(rng, vocab, 64, 128)
    inputs, labels = mistakes.expect_mlm_structure(_call(student, tokens, vocab, 0.0, generator=Seed(14)),
                                                   tokens, vocab, what="mlm_mask(p=0)")
    mistakes.expect_mlm_rates(mistakes.MlmCounts.of(inputs, labels, tokens, vocab), 0.0, vocab, "mlm_mask(p=0)")
    tokens = mistakes.bert_batch(rng, vocab, 128, 128)
    mistakes.expect_mlm(_call(student, tokens, vocab, 1.0, generator=Seed(15)), tokens, vocab, 1.0,
                        what="mlm_mask(p=1)")


@check(points=2, visibility="after_due_date", target="mlm_mask",
       ko="mlm_mask: 생성기에서 난수를 뽑음 (같은 시드는 같은 결과, 다른 시드는 다른 결과)")
def test_generator_decides_the_draw(student, rng, mistakes):
    """mlm_mask draws from the generator: equal seeds give equal results, other seeds others"""
    vocab = mistakes.SMALL
    tokens = mistakes.bert_batch(rng, vocab, 64, 128)
    first = _call(student, tokens, vocab, 0.15, generator=Seed(5))
    inputs, labels = mistakes.expect_mlm_structure(first, tokens, vocab)
    again_inputs, again_labels = mistakes.mlm_pair(_call(student, tokens, vocab, 0.15, generator=Seed(5)), tokens)
    if not (inputs.equal(again_inputs) and labels.equal(again_labels)):
        fail(mistakes.MLM_NOT_REPRODUCIBLE)
    other_inputs, other_labels = mistakes.mlm_pair(_call(student, tokens, vocab, 0.15, generator=Seed(6)), tokens)
    if inputs.equal(other_inputs) and labels.equal(other_labels):
        fail(mistakes.MLM_SEED_FIXED)


@check(points=1, visibility="after_due_date", target="mlm_mask",
       ko="mlm_mask: generator=None이면 torch의 전역 생성기에서 뽑음")
def test_without_generator(student, rng, mistakes):
    """mlm_mask with generator=None draws from torch's global generator"""
    vocab = mistakes.SMALL
    tokens = mistakes.bert_batch(rng, vocab, 256, 256)
    out = student.call("mlm_mask", tokens, vocab.mask, vocab.size, vocab.specials)
    mistakes.expect_mlm(out, tokens, vocab, 0.15, what=T("mlm_mask (default p and generator)",
                                                                   "mlm_mask (기본 p와 generator)"))


@check(points=1, visibility="after_due_date", target="mlm_mask",
       ko="mlm_mask: tokens를 바꾸지 않음")
def test_tokens_unchanged(student, rng, mistakes):
    """mlm_mask leaves tokens unchanged"""
    vocab = mistakes.SMALL
    tokens = mistakes.bert_batch(rng, vocab, 32, 64)
    out = _call(student, tokens, vocab, 0.5, generator=Seed(16), check_inputs=True)
    mistakes.expect_mlm_structure(out, tokens, vocab)

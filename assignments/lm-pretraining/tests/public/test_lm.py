"""Visible checks: one batch per question, on the conventions of the statement.

mlm_mask is judged on large batches with a seeded generator: structurally (labels,
untouched positions, special tokens) and statistically (the picked share and the
80/10/10 split, within bounds a correct draw misses with probability below 1e-8).
greedy_generate runs on a bigram "model" whose logits are rows of a table, so every
greedy step is known.
"""
from graders.checks import check
from graders.sandbox.protocol import Seed

PROMPT_TOKENS = [[7, 4, 9, 5], [2, 2, 0, 6], [11, 3, 8, 1]]


@check(points=3, visibility="visible", target="mlm_mask",
       ko="mlm_mask: 레이블, 건드리지 않은 위치, 특수 토큰")
def test_mlm_mask_structure(student, rng, mistakes):
    """mlm_mask: labels, untouched positions and special tokens"""
    vocab = mistakes.SMALL
    tokens = mistakes.bert_batch(rng, vocab, 32, 64)
    out = student.call("mlm_mask", tokens, vocab.mask, vocab.size, vocab.specials, p=0.15, generator=Seed(1))
    mistakes.expect_mlm_structure(out, tokens, vocab)


@check(points=3, visibility="visible", target="mlm_mask",
       ko="mlm_mask: 위치의 약 p를 선택하고 80/10/10으로 나눔")
def test_mlm_mask_rates(student, rng, mistakes):
    """mlm_mask: about p of the positions picked, split 80/10/10"""
    vocab = mistakes.SMALL
    tokens = mistakes.bert_batch(rng, vocab, 256, 256)
    out = student.call("mlm_mask", tokens, vocab.mask, vocab.size, vocab.specials, p=0.15, generator=Seed(2))
    mistakes.expect_mlm(out, tokens, vocab, 0.15)


@check(points=2, visibility="visible", target="greedy_generate",
       ko="greedy_generate: eos_id 없이 argmax 토큰 max_new_tokens개")
def test_greedy_generate_without_eos(student, rng, mistakes):
    """greedy_generate without eos_id: max_new_tokens argmax tokens"""
    table, prompt = mistakes.chain_case(rng, PROMPT_TOKENS)
    model = student.double("TableLM", table)
    out = student.call("greedy_generate", model, prompt, 6)
    mistakes.expect_generation(out, table, prompt, 6)
    # A model whose logits depend on the whole prefix, not on the last token alone.
    table, context, prompt = mistakes.prefix_case(rng, PROMPT_TOKENS)
    out = student.call("greedy_generate", student.double("TableLM", table, context), prompt, 6)
    mistakes.expect_generation(out, table, prompt, 6, context=context)


@check(points=2, visibility="visible", target="greedy_generate",
       ko="greedy_generate: 행마다 eos_id 다음에 멈춤")
def test_greedy_generate_with_eos(student, rng, mistakes):
    """greedy_generate stops each row after eos_id"""
    table, prompt = mistakes.eos_case(rng)
    model = student.double("TableLM", table)
    out = student.call("greedy_generate", model, prompt, 8, eos_id=mistakes.EOS)
    mistakes.expect_generation(out, table, prompt, 8, mistakes.EOS)

"""Hidden greedy_generate checks: rows finishing at different steps, early ends, eos_id = 0,
no new tokens, argmax rather than sampling, untouched prompts, a long prompt.

Every model is a TableLM: logits[b, t] = table[ids[b, t]] (plus context[ids[b, 0]] where the
prefix must matter), so the greedy path is known.
"""
import torch

from graders.checks import check, fail


def _generate(student, table, prompt, n, eos_id=None, **kw):
    model = student.double("TableLM", table)
    return student.call("greedy_generate", model, prompt, n, eos_id=eos_id, **kw)


@check(points=3, visibility="after_due_date", target="greedy_generate",
       ko="greedy_generate: 행마다 끝나는 단계가 다르고 한 행은 끝나지 않음")
def test_rows_stop_on_their_own(student, rng, mistakes):
    """greedy_generate: rows finish at different steps, one never"""
    table, prompt = mistakes.eos_case(rng)
    mistakes.expect_generation(_generate(student, table, prompt, 10, mistakes.EOS), table, prompt, 10, mistakes.EOS)


@check(points=1, visibility="after_due_date", target="greedy_generate",
       ko="greedy_generate: 모든 행이 max_new_tokens 전에 끝남")
def test_every_row_finishes(student, rng, mistakes):
    """greedy_generate: every row finishes before max_new_tokens"""
    table, prompt = mistakes.eos_case(rng, rows=(1, 0, 3))
    mistakes.expect_generation(_generate(student, table, prompt, 12, mistakes.EOS), table, prompt, 12, mistakes.EOS)


@check(points=1, visibility="after_due_date", target="greedy_generate",
       ko="greedy_generate: eos_id = 0일 때")
def test_eos_id_zero(student, rng, mistakes):
    """greedy_generate with eos_id = 0"""
    table, prompt = mistakes.eos_case(rng, eos_id=0)
    out = _generate(student, table, prompt, 9, 0)
    if not mistakes.is_generation(out, table, prompt, 9, 0) and mistakes.is_generation(out, table, prompt, 9):
        # The same rows with eos_id = 3 tell a falsy test of eos_id from a row that never stops.
        table3, prompt3 = mistakes.eos_case(rng)
        if mistakes.is_generation(_generate(student, table3, prompt3, 9, mistakes.EOS), table3, prompt3, 9, mistakes.EOS):
            fail(mistakes.EOS_ZERO_FALSY)
    mistakes.expect_generation(out, table, prompt, 9, 0)


@check(points=1, visibility="after_due_date", target="greedy_generate",
       ko="greedy_generate: max_new_tokens = 0이면 프롬프트를 반환")
def test_no_new_tokens(student, rng, mistakes):
    """greedy_generate with max_new_tokens = 0 returns the prompt"""
    table, prompt = mistakes.eos_case(rng)
    mistakes.expect_generation(_generate(student, table, prompt, 0, mistakes.EOS), table, prompt, 0, mistakes.EOS)
    table, prompt = mistakes.chain_case(rng, [[1, 2], [3, 4]])
    mistakes.expect_generation(_generate(student, table, prompt, 0), table, prompt, 0)


@check(points=2, visibility="after_due_date", target="greedy_generate",
       ko="greedy_generate: 로짓이 비슷해도 argmax를 고름")
def test_argmax_not_sampling(student, rng, mistakes):
    """greedy_generate takes the argmax even when the logits are close"""
    table, prompt = mistakes.chain_case(rng, [[5, 17, 30], [22, 8, 39], [0, 12, 4]], vocab=40, margin=0.05)
    first = _generate(student, table, prompt, 8)
    second = _generate(student, table, prompt, 8)
    if hasattr(first, "shape") and hasattr(second, "shape") and (first.shape != second.shape or not first.equal(second)):
        fail(mistakes.GREEDY_SAMPLES)
    mistakes.expect_generation(first, table, prompt, 8)


@check(points=1, visibility="after_due_date", target="greedy_generate",
       ko="greedy_generate: 프롬프트를 바꾸지 않음")
def test_prompt_unchanged(student, rng, mistakes):
    """greedy_generate leaves the prompt unchanged"""
    table, prompt = mistakes.eos_case(rng)
    out = _generate(student, table, prompt, 6, mistakes.EOS, check_inputs=True)
    mistakes.expect_generation(out, table, prompt, 6, mistakes.EOS)


@check(points=1, visibility="after_due_date", target="greedy_generate",
       ko="greedy_generate: 배치 1개와 긴 프롬프트")
def test_batch_of_one_long_prompt(student, rng, mistakes):
    """greedy_generate with a batch of one and a long prompt"""
    table, prompt = mistakes.chain_case(rng, torch.randint(0, mistakes.V, (1, 40), generator=rng))
    mistakes.expect_generation(_generate(student, table, prompt, 15), table, prompt, 15)
    table, context, prompt = mistakes.prefix_case(rng, prompt)
    out = student.call("greedy_generate", student.double("TableLM", table, context), prompt, 15)
    mistakes.expect_generation(out, table, prompt, 15, context=context)

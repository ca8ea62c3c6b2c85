"""Masked-LM corruption and greedy generation (assignment `lm-pretraining`). Submit as `lm.py`.

Fill in the two functions with torch operations. Token ids are LongTensors (torch.int64),
batch-first. Do not change your inputs in place.
"""
import torch


def mlm_mask(tokens, mask_id, vocab_size, special_ids, p=0.15, generator=None):
    """Corrupt a batch of token ids for masked-language-model training (BERT).

    Args:
        tokens:      (B, T) LongTensor of token ids.
        mask_id:     the id of [MASK].
        vocab_size:  ids are 0 .. vocab_size - 1.
        special_ids: a list or tuple of ids that are never picked ([PAD], [CLS], [SEP], ...).
        p:           probability with which each non-special position is picked.
        generator:   a torch.Generator; draw every random number from it
                     (torch.rand(..., generator=generator), ...). None: torch's global one.

    Returns:
        (inputs, labels), two (B, T) LongTensors. Each non-special position is picked
        independently with probability p. Of the picked positions 80% become mask_id in
        `inputs`, 10% a random id drawn uniformly from [0, vocab_size) and 10% keep their
        id; all other positions keep their id. labels hold the original id at picked
        positions and -100 everywhere else.
    """
    raise NotImplementedError


def greedy_generate(model, prompt, max_new_tokens, eos_id=None):
    """Extend each row of `prompt` with the model's argmax tokens, one step at a time.

    Args:
        model:          a callable; model(ids) with ids a (B, T) LongTensor returns logits
                        (B, T, V). It may have no parameters: take the device from prompt.
        prompt:         (B, T0) LongTensor, T0 >= 1.
        max_new_tokens: how many tokens to append at most (0: return the prompt).
        eos_id:         the end-of-sequence id, or None (never stop early).

    Returns:
        (B, T0 + n) LongTensor: the prompt followed by the new tokens. At each step the
        whole sequence so far is fed to the model and each row gets the argmax of the
        logits at the last position. A row that has produced eos_id is finished: its later
        positions hold eos_id. n = max_new_tokens, or fewer if every row has finished
        (then any n from the step at which the last row finished up to max_new_tokens).
    """
    raise NotImplementedError

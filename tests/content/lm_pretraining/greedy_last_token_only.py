"""Mistake: feeds the model the last token alone at every step (a bigram model cannot tell)."""
import torch

IGNORE_INDEX = -100     # what F.cross_entropy skips by default


def mlm_mask(tokens, mask_id, vocab_size, special_ids, p=0.15, generator=None):
    tokens = tokens.long()
    special = torch.isin(tokens, torch.tensor(list(special_ids), dtype=torch.long))
    picked = (torch.rand(tokens.shape, generator=generator) < p) & ~special
    labels = torch.where(picked, tokens, IGNORE_INDEX)
    # One more uniform number per position splits the picked ones 80 / 10 / 10.
    action = torch.rand(tokens.shape, generator=generator)
    to_mask = picked & (action < 0.8)
    to_random = picked & (action >= 0.8) & (action < 0.9)
    random_ids = torch.randint(vocab_size, tokens.shape, generator=generator)
    inputs = torch.where(to_mask, mask_id, tokens)
    inputs = torch.where(to_random, random_ids, inputs)
    return inputs, labels


@torch.no_grad()
def greedy_generate(model, prompt, max_new_tokens, eos_id=None):
    ids = prompt.long()
    done = torch.zeros(ids.shape[0], dtype=torch.bool, device=ids.device)
    for _ in range(max_new_tokens):
        if eos_id is not None and bool(done.all()):
            break
        nxt = model(ids[:, -1:])[:, -1, :].argmax(dim=-1)
        if eos_id is not None:
            nxt = torch.where(done, torch.full_like(nxt, eos_id), nxt)
            done = done | (nxt == eos_id)
        ids = torch.cat([ids, nxt[:, None]], dim=1)
    return ids.clone() if ids is prompt else ids

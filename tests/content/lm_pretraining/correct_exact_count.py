"""Correct, in the style of Google's create_pretraining_data.py: each row picks
round(p * candidates) positions by a random permutation, then splits them 80/10/10."""
import torch


def mlm_mask(tokens, mask_id, vocab_size, special_ids, p=0.15, generator=None):
    inputs = tokens.clone()
    labels = torch.full_like(tokens, -100)
    specials = set(int(s) for s in special_ids)
    for b in range(tokens.shape[0]):
        row = tokens[b].tolist()
        cand = [t for t, tok in enumerate(row) if tok not in specials]
        n = int(round(p * len(cand)))
        order = torch.randperm(len(cand), generator=generator)[:n].tolist()
        for j in order:
            t = cand[j]
            labels[b, t] = row[t]
            r = torch.rand((), generator=generator).item()
            if r < 0.8:
                inputs[b, t] = mask_id
            elif r < 0.9:
                inputs[b, t] = torch.randint(vocab_size, (), generator=generator)
    return inputs, labels


@torch.no_grad()
def greedy_generate(model, prompt, max_new_tokens, eos_id=None):
    seq = prompt.clone()
    alive = torch.ones(seq.size(0), dtype=torch.bool)
    for _ in range(max_new_tokens):
        probs = torch.softmax(model(seq)[:, -1], dim=-1)
        nxt = probs.argmax(dim=-1, keepdim=True)
        if eos_id is not None:
            nxt[~alive] = eos_id
            alive &= nxt.squeeze(1) != eos_id
        seq = torch.cat((seq, nxt), dim=1)
        if eos_id is not None and not alive.any():
            break
    return seq

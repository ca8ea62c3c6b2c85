"""Correct: one uniform number per position decides both whether it is picked and what it
becomes; generation row by row with Python lists, stopping once every row has ended."""
import torch


def mlm_mask(tokens, mask_id, vocab_size, special_ids, p=0.15, generator=None):
    u = torch.rand(tokens.shape, generator=generator)
    allowed = ~torch.isin(tokens, torch.tensor(list(special_ids)))
    picked = allowed & (u < p)
    rand_ids = torch.randint(0, vocab_size, tokens.shape, generator=generator)
    inputs = tokens.clone()
    inputs[picked & (u < 0.8 * p)] = mask_id
    swap = picked & (u >= 0.8 * p) & (u < 0.9 * p)
    inputs[swap] = rand_ids[swap]
    labels = torch.full_like(tokens, -100)
    labels[picked] = tokens[picked]
    return inputs, labels


def greedy_generate(model, prompt, max_new_tokens, eos_id=None):
    rows = [list(map(int, r)) for r in prompt]
    done = [False] * len(rows)
    for _ in range(max_new_tokens):
        if all(done):
            break
        logits = model(torch.tensor(rows, dtype=torch.long))
        nxt = logits[:, -1].argmax(-1).tolist()
        for i, row in enumerate(rows):
            row.append(eos_id if done[i] else nxt[i])
            if eos_id is not None and row[-1] == eos_id:
                done[i] = True
    return torch.tensor(rows, dtype=torch.long)

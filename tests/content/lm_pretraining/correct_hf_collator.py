"""Correct, in the style of Hugging Face's DataCollatorForLanguageModeling: Bernoulli
draws on probability matrices; greedy decoding into a preallocated buffer, run to the end."""
import torch


def mlm_mask(tokens, mask_id, vocab_size, special_ids, p=0.15, generator=None):
    labels = tokens.clone()
    inputs = tokens.clone()
    probability = torch.full(labels.shape, p)
    special = torch.zeros_like(labels, dtype=torch.bool)
    for s in special_ids:
        special |= labels == s
    probability.masked_fill_(special, 0.0)
    masked = torch.bernoulli(probability, generator=generator).bool()
    labels[~masked] = -100
    replaced = torch.bernoulli(torch.full(labels.shape, 0.8), generator=generator).bool() & masked
    inputs[replaced] = mask_id
    randomized = torch.bernoulli(torch.full(labels.shape, 0.5), generator=generator).bool() & masked & ~replaced
    words = torch.randint(vocab_size, labels.shape, dtype=torch.long, generator=generator)
    inputs[randomized] = words[randomized]
    return inputs, labels


def greedy_generate(model, prompt, max_new_tokens, eos_id=None):
    B, T0 = prompt.shape
    out = torch.empty(B, T0 + max_new_tokens, dtype=torch.long)
    out[:, :T0] = prompt
    finished = torch.zeros(B, dtype=torch.bool)
    with torch.no_grad():
        for t in range(T0, T0 + max_new_tokens):
            logits = model(out[:, :t])
            nxt = torch.argmax(logits[:, -1, :], dim=-1)
            if eos_id is not None:
                nxt[finished] = eos_id
                finished |= nxt == eos_id
            out[:, t] = nxt
    return out

"""Test doubles that checks place in the sandbox and hand to the student's code.

They are built from data the grader sends (no code crosses), e.g. a language model whose
logits come from a lookup table, so `greedy_generate(model, ...)` can be graded with a
model whose every answer the grader knows. The student's code could tamper with them, but
only to its own cost: what they record is what the student's code did.
"""
from __future__ import annotations

import math
from typing import Any

import torch

MAX_RECORDS = 10_000          # a snapshot of them all stays well inside a reply's bounds (graders/limits.py)


class Recorder:
    """A `report(step, loss)` callback that keeps what it is told."""

    def __init__(self) -> None:
        self.records: list[tuple[float, float]] = []

    def __call__(self, step: Any, loss: Any) -> None:
        if len(self.records) >= MAX_RECORDS:
            return
        loss = float(loss.detach().item() if isinstance(loss, torch.Tensor) else loss)
        self.records.append((float(step), loss if math.isfinite(loss) else float("nan")))

    def snapshot(self) -> list[tuple[float, float]]:
        return list(self.records)


class TableLM(torch.nn.Module):
    """logits[b, t] = table[ids[b, t]] (+ context[ids[b, 0]]): a model whose greedy path the
    grader can compute. With `context`, every position's logits depend on the sequence's first
    token as well as its own, so the output depends on the whole prefix: code that feeds the
    model only the last token (or a window) gets other logits than code that feeds it all."""

    def __init__(self, table: torch.Tensor, context: torch.Tensor | None = None) -> None:
        super().__init__()
        self.register_buffer("table", table.float())
        self.register_buffer("context", context.float() if context is not None else None)
        self.calls = 0

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        self.calls += 1
        if ids.dtype != torch.long:
            raise TypeError(f"token ids must be a LongTensor, got {ids.dtype}")
        logits = self.table[ids]
        if self.context is not None and ids.dim() == 2 and ids.shape[1] > 0:
            logits = logits + self.context[ids[:, :1]]
        return logits


DOUBLES = {"Recorder": Recorder, "TableLM": TableLM}

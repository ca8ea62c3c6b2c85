"""Pairwise similarity of submissions: copydetect on the source, rarity-weighted shared behaviour.

Pure computation (no database): `rank_pairs` takes entries and returns scored pairs.

* Source: copydetect's winnowed fingerprints of the code with identifiers, strings and layout
  normalised and the starter code removed as boilerplate. Every pair is first screened by how
  many fingerprints it shares (one sparse product); copydetect's own `compare_files` then scores
  the candidates exactly.
* Behaviour: each submission's features are its named mistakes, its wrong outputs (the engine's
  hashes of the values that failed a comparison, to the tolerance; the check's report, numbers
  rounded, for results without them) and its exception texts. A feature weighs log(N / how many
  submissions have it) (IDF): two students who share a wrong answer nobody else has are strong
  evidence; a mistake half the class makes is weak; correct checks add no feature at all, so
  two correct submissions share nothing. behaviour = weighted Jaccard x min(1, shared weight /
  the weight of a feature held by exactly two).
* score = SOURCE_WEIGHT x source + (1 - SOURCE_WEIGHT) x behaviour.
"""
from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from copydetect import CodeFingerprint, compare_files
from scipy import sparse

NOISE_T, GUARANTEE_T = 25, 30            # copydetect's defaults: k-gram size and guarantee threshold
WIN_SIZE = GUARANTEE_T - NOISE_T + 1
SOURCE_WEIGHT = 0.4
MAX_SOURCE = 200_000                     # characters of one submission that are fingerprinted


@dataclass
class Entry:
    key: int                              # the submission id
    student: int
    current: bool                         # in the offering being examined (else: an earlier term)
    source: str
    features: set[str] = field(default_factory=set)
    code: CodeFingerprint | None = None
    outputs: dict[str, dict] = field(default_factory=dict)   # "o:" feature -> the wrong output it stands for


@dataclass
class Pair:
    first: int
    second: int
    score: float
    source: float
    behaviour: float
    shared: list[str]
    slices: tuple = ()


def code_fingerprint(source: str, boilerplate: np.ndarray | None = None) -> CodeFingerprint:
    """copydetect's fingerprint of Python source, with the starter's fingerprints removed."""
    return CodeFingerprint("submission.py", NOISE_T, WIN_SIZE, boilerplate=boilerplate,
                           fp=io.StringIO(source[:MAX_SOURCE]), language="python")


def boilerplate_of(starter: str) -> np.ndarray:
    return np.array(sorted(code_fingerprint(starter).hashes), dtype=np.int64) if starter else np.array([], np.int64)


def _binary_matrix(rows: list[set], vocabulary: dict) -> sparse.csr_matrix:
    indptr, indices = [0], []
    for row in rows:
        indices.extend(vocabulary.setdefault(x, len(vocabulary)) for x in row)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    return sparse.csr_matrix((data, indices, indptr), shape=(len(rows), max(1, len(vocabulary))))


def idf_weights(entries: list[Entry]) -> dict[str, float]:
    counts: dict[str, int] = {}
    for e in entries:
        for f in e.features:
            counts[f] = counts.get(f, 0) + 1
    n = len(entries)
    return {f: math.log(n / c) for f, c in counts.items()}


def _behaviour(entries: list[Entry]) -> np.ndarray:
    """Dense N x N matrix of behavioural similarity."""
    n = len(entries)
    idf = idf_weights(entries)
    vocabulary: dict[str, int] = {}
    features = _binary_matrix([e.features for e in entries], vocabulary)
    weights = np.zeros(features.shape[1], dtype=np.float32)
    for f, i in vocabulary.items():
        weights[i] = idf[f]
    shared = (features.multiply(weights) @ features.T).toarray()
    own = np.asarray(features @ weights).ravel()
    union = own[:, None] + own[None, :] - shared
    jaccard = np.divide(shared, union, out=np.zeros_like(shared), where=union > 0)
    cap = math.log(max(n, 3) / 2)            # one feature held by exactly these two is full evidence
    return jaccard * np.minimum(1.0, shared / cap)


def _source_screen(entries: list[Entry]) -> np.ndarray:
    """Dense N x N share of copydetect fingerprints in common (a cheap stand-in for the exact score)."""
    vocabulary: dict = {}
    hashes = _binary_matrix([set(e.code.hashes) for e in entries], vocabulary)
    shared = (hashes @ hashes.T).toarray()
    sizes = np.maximum(1, np.asarray(hashes.sum(axis=1)).ravel())
    return shared / np.sqrt(sizes[:, None] * sizes[None, :])


def _candidates(entries: list[Entry], screen: np.ndarray, limit: int) -> list[tuple[int, int]]:
    current = np.array([e.current for e in entries])
    students = np.array([e.student for e in entries])
    i, j = np.triu_indices(len(entries), k=1)
    keep = (current[i] | current[j]) & (students[i] != students[j])
    i, j, values = i[keep], j[keep], screen[i[keep], j[keep]]
    order = np.argsort(-values, kind="stable")[:limit]
    return list(zip(i[order].tolist(), j[order].tolist()))


def rank_pairs(entries: list[Entry], *, top: int = 200, candidates: int | None = None,
               progress: Callable[[int], None] = lambda done: None) -> list[Pair]:
    """The `top` pairs (at least one side current, two different students), highest score first."""
    if len(entries) < 2:
        return []
    behaviour = _behaviour(entries)
    screen = SOURCE_WEIGHT * _source_screen(entries) + (1 - SOURCE_WEIGHT) * behaviour
    limit = candidates or max(4 * top, 4 * len(entries))
    pairs = []
    for step, (a, b) in enumerate(_candidates(entries, screen, limit), start=1):
        _, sims, slices = compare_files(entries[a].code, entries[b].code)
        source = float(np.mean(sims)) if len(sims) else 0.0
        beh = float(behaviour[a, b])
        shared = sorted(entries[a].features & entries[b].features)
        pairs.append(Pair(entries[a].key, entries[b].key, SOURCE_WEIGHT * source + (1 - SOURCE_WEIGHT) * beh,
                          source, beh, shared, slices))
        if step % 50 == 0:
            progress(step)
    pairs.sort(key=lambda p: (-p.score, -p.behaviour, p.first, p.second))
    return pairs[:top]

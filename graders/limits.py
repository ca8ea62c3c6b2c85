"""The grader's own bounds: what anything a student controls may cost the grader process.

Sandbox limits (time, memory, CPU of the student's code) live in assignment.toml `[limits]`
(graders/contracts.py `Limits`). The bounds here protect the grader itself, which runs
outside every sandbox limit; they are documented in docs/authoring.md ("The grader's own
bounds"). This module imports nothing: the sandbox side imports it too.
"""
from __future__ import annotations

# ------------------------------------------------------------------ sandbox replies
# One frame from a sandbox (graders/sandbox/protocol.py): `u32 header length | JSON header |
# u32 buffer count | (u64 length | bytes)*`. Decoding a frame is linear in its size; the worst
# frame under these bounds decodes in well under 1 s and 256 MiB (bench/decode_bound.py).

REPLY_MAX_HEADER_BYTES = 1 << 20      # the JSON header; JSON costs up to ~25 bytes of objects per byte
REPLY_MAX_BUFFERS = 4096              # raw array buffers in one frame
REPLY_MAX_BUFFER_BYTES = 64 << 20     # all buffers of one frame together (the tensors' data)
REPLY_MAX_ITEMS = 262_144             # values of every kind (numbers, strings, lists, dict entries, ...)
REPLY_MAX_MARKERS = 16_384            # tagged values that cost an object each: arrays, handles, seeds,
                                      # dtypes, big integers, foreign markers
REPLY_MAX_DEPTH = 64                  # nesting of lists, tuples and dicts
REPLY_MAX_DICT_ITEMS = 100_000        # entries in one dict
REPLY_MAX_KEY_COLLISIONS = 8          # distinct dict keys sharing one hash (a hash-flooding guard)
REPLY_MAX_STRING_CHARS = 1 << 20      # one string
REPLY_MAX_BIGINT_DIGITS = 4000        # an integer beyond 64 bits, in decimal digits
REPLY_MAX_DECODED_BYTES = 96 << 20    # strings plus array data of one decoded reply
REPLY_DEADLINE_CHECK_EVERY = 1024     # items decoded between two looks at the call's deadline

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


# ----------------------------------------------------------------------------- upload
MAX_UPLOAD_BYTES = 8 << 20          # the uploaded file (a .py, a notebook or a zip)
MAX_SOURCE_BYTES = 1 << 20          # the code the sandbox loads (after notebook/zip extraction)
MAX_ZIP_MEMBERS = 64                # files in a zip (folders and __MACOSX/ not counted)
MAX_ZIP_UNPACKED_BYTES = 8 << 20    # the sum of a zip's members, as read (not as declared)
MAX_ZIP_RATIO = 200                 # unpacked / packed size of one member (zip bombs)
MAX_NOTEBOOK_CONTAINERS = 1_000_000   # "[" and "{" in a notebook's text (bounds the parsed JSON's memory)
MAX_NOTEBOOK_CELLS = 5000           # cells in a notebook
# A notebook's JSON nested deeper than the interpreter's recursion limit (1000) is refused.

# ----------------------------------------------------------------------------- static scan
# The scan for banned APIs walks the syntax tree once; its cost is linear in the number of
# nodes, which this budget caps (a typical source has one node per 5-6 bytes, so 1 MiB of
# ordinary code stays below it). The parser itself caps nesting (about 200 brackets,
# 100 indentation levels) and raises on deeper trees.
MAX_SCAN_NODES = 400_000
# A source past MAX_INPROCESS_SCAN_BYTES is parsed and scanned in a short-lived forked child
# (graders/bounded.py) with these limits, so a pathological 1 MiB source costs the grader at
# most 2 s of CPU and no memory of its own. Python's compiler is not linear on every input
# (deep brackets, thousands of same-named functions), so the parse itself needs the bound.
MAX_INPROCESS_SCAN_BYTES = 64 << 10
MAX_SCAN_CPU_SECONDS = 2
MAX_SCAN_MEMORY_MIB = 512
MAX_SCAN_SECONDS = 20.0             # wall clock, a safety net: CPU time is the bound that decides

# ----------------------------------------------------------------------------- result text
# Text that comes back from the sandbox (the student's prints, exception messages,
# tracebacks) before it reaches a result: see graders/text.py.
MAX_RESULT_TEXT = 1 << 20           # one text field of a result, in characters (above any
                                    # assignment's `output_kib`, which the sandbox applies first)
MAX_CHECK_MESSAGE = 2000            # the message of one check

# ----------------------------------------------------------------------------- wrong-output hashes
# Hashes of the values that failed a comparison in one check (graders/outputs.py), kept in the
# check's result for the similarity report; the work to make one is bounded there (a sample).
MAX_OUTPUT_HASHES = 8               # per check
MAX_OUTPUT_WHAT = 200               # characters of the compared value's name kept beside each

# ----------------------------------------------------------------------------- words drawn in pictures
# A title, axis label, panel or series name a check draws (graders/pictures.py), in each language:
# control characters removed, cut, long lines wrapped, so a picture stays a few thousand pixels wide
# and tall whatever text a check passes (a value from the student's process included).
MAX_DRAWN_CHARS = 300               # one drawn text
MAX_DRAWN_LINES = 4                 # its lines
MAX_DRAWN_LINE_CHARS = 80           # longer lines are wrapped
MAX_TOKEN_CHARS = 40                # one row or column label of a heat map (data, drawn as it is)

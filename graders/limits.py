"""The grader's own bounds: how much work a submission may make the grader process do.

The sandbox's limits (wall time, memory, processes, ...) are per assignment, in
`assignment.toml` `[limits]` (graders/contracts.py `Limits`). The bounds here protect the
grader itself, which runs outside every sandbox: they are the same for every assignment and
are documented in docs/authoring.md ("The grader's own bounds").
"""
from __future__ import annotations

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

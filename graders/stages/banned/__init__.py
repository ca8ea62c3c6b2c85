"""Find banned APIs in a submission's source, per top-level function or class.

Static, on the syntax tree the sandbox compiles (see static_check): imports and module-level
aliases are resolved to dotted names (`from torch.nn import functional as F`,
`sdpa = F.scaled_dot_product_attention`), helpers a target calls are followed, and an
attribute or a literal string in a lookup (`getattr(F, "scaled_dot_product_attention")`) is
caught by the banned name's last component. No local name is trusted: `self.x` is the
student's own member only when `self` is a method's first parameter that is never rebound
and the module itself defines `x` in a class.

What no static scan can follow is flagged instead of guessed: code or names built at run
time (`eval`, `exec`, `vars(m)[...]`, `m.__dict__`, `globals()`, `sys.modules`,
`importlib`, `getattr(torch, name)` with a computed name, `operator.attrgetter`), a module
on the way to a banned API passed around as a value, and the private or operator-registry
side of a banned package (`torch._C`, `torch.ops.aten`). The sandbox's tripwires are the
second line, for whatever reaches a banned callable some other way.

The scan is linear in the size of the tree and stops at `MAX_SCAN_NODES` nodes
(graders/limits.py): a source past that raises ScanLimitExceeded.
"""
from __future__ import annotations

import ast
import time

from graders.limits import MAX_SCAN_NODES, MAX_SCAN_SECONDS
from graders.stages.banned.names import ScanLimitExceeded
from graders.stages.banned.scan import DYNAMIC, Hits, Scanner, Spec

__all__ = ["DYNAMIC", "ScanLimitExceeded", "find_banned", "parse_for_scan"]

MODULE = "<module>"


def parse_for_scan(source: str | bytes, filename: str = "<submission>") -> ast.Module:
    """The syntax tree exactly as the sandbox's `compile(source, filename, "exec",
    dont_inherit=True)` sees it (bytes are decoded by the compiler itself, PEP 263)."""
    return compile(source, filename, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)


def find_banned(source: str | bytes | ast.Module, banned: dict[str, tuple[str, ...]],
                targets: set[str], *, max_nodes: int = MAX_SCAN_NODES,
                max_seconds: float = MAX_SCAN_SECONDS) -> dict[str, list[str]]:
    """For each target, the banned APIs it (or a helper it reaches, or module code) uses."""
    tree = source if isinstance(source, ast.Module) else parse_for_scan(source)
    all_specs = {s for specs in banned.values() for s in specs}
    if not all_specs or not any(banned.get("*") or banned.get(t) for t in targets):
        return {}
    scanner = Scanner(tree, Spec(all_specs), max_nodes=max_nodes,
                      deadline=time.monotonic() + max_seconds)
    table = scanner.run()
    found: dict[str, list[str]] = {}
    for target in sorted(targets):
        specs = banned.get("*", ()) + banned.get(target, ())
        if not specs or target not in table:
            continue
        messages = _messages(specs, _merged(table, _reach(table, target)))
        if messages:
            found[target] = messages
    return found


def _reach(table: dict[str, Hits], target: str) -> list[str]:
    """The target, module-level code, and every top-level definition they name, transitively."""
    reach, todo, seen = [], [target, MODULE], set()
    while todo:
        name = todo.pop()
        if name in seen or name not in table:
            continue
        seen.add(name)
        reach.append(name)
        todo.extend(table[name].calls)
    return reach


def _merged(table: dict[str, Hits], reach: list[str]) -> dict[object, tuple[int, str]]:
    """First line (and why) of each hit key over the reached definitions."""
    merged: dict[object, tuple[int, str]] = {}
    for name in reach:
        for key, (line, why) in table[name].first.items():
            if key not in merged or line < merged[key][0]:
                merged[key] = (line, why)
    return merged


def _messages(specs: tuple[str, ...], hits: dict[object, tuple[int, str]]) -> list[str]:
    """One sentence per line that touches a ban: a direct use first, then a lookup, then an escape."""
    roots = {s.split(".")[0] for s in specs if not s.startswith(".")}
    best: dict[int, tuple[int, int, str]] = {}
    for order, spec in enumerate(specs):
        if spec in hits:
            line, why = hits[spec]
            api = spec if not spec.startswith(".") else f"`{spec[1:]}`"
            rank = (2 if why else 0, order)
            candidate = (*rank, f"{api} (line {line}{': ' + why if why else ''})")
            if line not in best or candidate < best[line]:
                best[line] = candidate
    for key, (line, why) in hits.items():
        if isinstance(key, tuple) and (key[0] == "dynamic" or (key[0] == "root" and key[1] in roots)):
            candidate = (1, 0, f"{why} (line {line}), which the grader cannot check for banned APIs")
            if line not in best or candidate < best[line]:
                best[line] = candidate
    return [text for _, (_, _, text) in sorted(best.items())]

"""Copiers for the synthetic class: the same program with local names renamed, the top-level
functions and classes reordered, and the layout reformatted (comments dropped, spacing changed).

Parameters and public names are kept: the grader calls functions by name and keyword.
"""
from __future__ import annotations

import ast
import builtins
import random

KEEP = set(dir(builtins)) | {"self", "cls", "torch", "nn", "F", "math", "np"}


class _RenameLocals(ast.NodeTransformer):
    def __init__(self, mapping: dict[str, str]):
        self.mapping = mapping

    def visit_Name(self, node: ast.Name):
        if node.id in self.mapping:
            node.id = self.mapping[node.id]
        return node


def _locals_of(func: ast.AST) -> set[str]:
    params = {a.arg for a in ast.walk(func) if isinstance(a, ast.arg)}
    stored = {n.id for n in ast.walk(func) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return stored - params - KEEP


def rename_locals(tree: ast.Module, rng: random.Random) -> ast.Module:
    module_names = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    for func in [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]:
        names = sorted(_locals_of(func) - module_names)
        mapping = {name: f"{rng.choice(['tmp', 'val', 'x', 'res', 'my'])}_{i}_{name[::-1]}" for i, name in enumerate(names)}
        for stmt in func.body:
            _RenameLocals(mapping).visit(stmt)
    return tree


def reorder(tree: ast.Module, rng: random.Random) -> ast.Module:
    head = [n for n in tree.body if not isinstance(n, (ast.FunctionDef, ast.ClassDef))]
    defs = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
    rng.shuffle(defs)
    tree.body = head + defs
    return tree


def reformat(source: str) -> str:
    lines = ["# my solution for the attention homework", ""]
    for line in source.splitlines():
        lines.append(line.replace(", ", ",  ") if not line.lstrip().startswith(("'", '"')) else line)
        if line.startswith(("def ", "class ")):
            lines.append("")
    return "\n".join(lines) + "\n"


def drop_docstrings(tree: ast.Module) -> ast.Module:
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and len(body) > 1 and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            node.body = body[1:]
    return tree


def disguise(source: str, seed: int) -> str:
    """A copier's version of `source`: same behaviour, different text."""
    rng = random.Random(seed)
    tree = reorder(rename_locals(drop_docstrings(ast.parse(source)), rng), rng)
    return reformat(ast.unparse(ast.fix_missing_locations(tree)))

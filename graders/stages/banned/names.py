"""Names in a submission's source: import aliases, module-level aliases, attribute chains.

`Resolver.dotted` turns `F.scaled_dot_product_attention`, `getattr(torch, "nn").functional`
or `importlib.import_module("torch.nn").functional` into a dotted name such as
`torch.nn.functional`, as far as the source alone decides it.
"""
from __future__ import annotations

import ast
import builtins
from typing import Iterator

BUILTINS = set(dir(builtins))
IMPORTERS = ("importlib.import_module", "builtins.__import__")


class ScanLimitExceeded(ValueError):
    """The source is too large or too complex for the static scan's bounds."""


def dotted_parts(node: ast.AST) -> tuple[ast.AST, list[str]]:
    """The head of an attribute chain (through `getattr(x, "literal")`) and its names, outermost last."""
    parts: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif literal_getattr(node):
            parts.append(node.args[1].value)           # type: ignore[attr-defined]
            node = node.args[0]                        # type: ignore[attr-defined]
        else:
            return node, parts[::-1]


def literal_getattr(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
            and len(node.args) in (2, 3) and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str))


class Resolver:
    """Import aliases, module-level aliases, top-level names and the classes' own member names."""

    def __init__(self, tree: ast.Module, max_nodes: int) -> None:
        self.aliases: dict[str, str] = {}
        self.star: list[str] = []
        self.toplevel = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
        self.members: set[str] = set()
        for node in _statements(tree, max_nodes):
            if isinstance(node, ast.Import):
                for a in node.names:
                    self.aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for a in node.names:
                    if a.name == "*":
                        self.star.append(node.module)
                    else:
                        self.aliases[a.asname or a.name] = f"{node.module}.{a.name}"
            elif isinstance(node, ast.ClassDef):
                self.members.update(_class_members(node))
        self._module_aliases(tree)

    def _module_aliases(self, tree: ast.Module) -> None:
        """Module-level `x = <dotted>` aliases, to a fixpoint (aliases of aliases)."""
        for _ in range(5):
            changed = False
            for node in tree.body:
                if not is_alias(node, self):
                    continue
                dotted = self.dotted(node.value)               # type: ignore[attr-defined]
                for t in node.targets:                         # type: ignore[attr-defined]
                    if self.aliases.get(t.id) != dotted:
                        self.aliases[t.id] = dotted
                        changed = True
            if not changed:
                break

    def imported(self, node: ast.AST) -> str | None:
        """The module `importlib.import_module("a.b")` or `__import__("a.b")` imports, if literal."""
        if not isinstance(node, ast.Call) or not node.args:
            return None
        func, first = node.func, node.args[0]
        name = "builtins.__import__" if isinstance(func, ast.Name) and func.id == "__import__" else (
            self.dotted(func) if isinstance(func, ast.Attribute) else self.aliases.get(getattr(func, "id", "")))
        if name in IMPORTERS and isinstance(first, ast.Constant) and isinstance(first.value, str) and (
                first.value and not first.value.startswith(".")):
            return first.value
        return None

    def dotted(self, node: ast.AST | None) -> str | None:
        if node is None:
            return None
        head, parts = dotted_parts(node)
        if isinstance(head, ast.Call):
            module = self.imported(head)
            return ".".join([module] + parts) if module else None
        if not isinstance(head, ast.Name):
            return None
        base = self.aliases.get(head.id)
        if base is None:
            if head.id in self.toplevel or head.id in BUILTINS or not self.star:
                return None
            base = f"{self.star[0]}.{head.id}"
        return ".".join([base] + parts)


def _statements(tree: ast.Module, max_nodes: int) -> Iterator[ast.AST]:
    """Every statement of the module, nested ones too (imports and classes are statements)."""
    stack: list[ast.AST] = [tree]
    count = 0
    while stack:
        node = stack.pop()
        count += 1
        if count > max_nodes:
            raise ScanLimitExceeded(f"more than {max_nodes} syntax nodes")
        yield node
        for name in ("body", "orelse", "finalbody", "handlers", "cases"):
            block = getattr(node, name, None)
            if isinstance(block, list):
                stack.extend(block)


def _class_members(node: ast.ClassDef) -> set[str]:
    names = set()
    for stmt in node.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(stmt.name)
        elif isinstance(stmt, ast.Assign):
            names.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            names.add(stmt.target.id)
    return names


def is_alias(node: ast.stmt, resolver: Resolver) -> bool:
    """`x = torch.nn.functional` only names a thing; its uses count where x is used."""
    return (isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets)
            and resolver.dotted(node.value) is not None)

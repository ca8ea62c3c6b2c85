"""Find banned APIs in a submission's source, per top-level function or class.

Static, on the AST: imports and module-level aliases are resolved to dotted names
(`from torch.nn import functional as F`, `sdpa = F.scaled_dot_product_attention`), helpers
a target calls are followed, and dynamic lookups (`getattr(F, "scaled_dot_product_attention")`,
`eval("torch.nn.LSTM")`) are caught by the banned name's last component.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field

DYNAMIC = {"getattr", "__import__", "import_module", "eval", "exec", "compile", "attrgetter"}
MODULE = "<module>"


@dataclass
class Uses:
    """What one top-level definition touches."""

    dotted: list[tuple[str, int]] = field(default_factory=list)     # resolved names, with line
    attrs: list[tuple[str, int]] = field(default_factory=list)      # attribute names, with line
    strings: list[tuple[str, int]] = field(default_factory=list)    # strings given to dynamic lookups
    calls: set[str] = field(default_factory=set)                    # other top-level names referenced


class _Resolver:
    def __init__(self, tree: ast.Module) -> None:
        self.aliases: dict[str, str] = {}
        self.star: list[str] = []
        self.toplevel = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.asname:
                        self.aliases[a.asname] = a.name
                    else:
                        self.aliases.setdefault(a.name.split(".")[0], a.name.split(".")[0])
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for a in node.names:
                    if a.name == "*":
                        self.star.append(node.module)
                    else:
                        self.aliases[a.asname or a.name] = f"{node.module}.{a.name}"
        # Module-level `x = <dotted>` aliases, to a fixpoint (aliases of aliases).
        for _ in range(5):
            changed = False
            for node in tree.body:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) and node.value else []
                value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
                dotted = self.dotted(value) if value is not None else None
                for t in targets:
                    if isinstance(t, ast.Name) and dotted and self.aliases.get(t.id) != dotted:
                        self.aliases[t.id] = dotted
                        changed = True
            if not changed:
                break

    def dotted(self, node: ast.AST | None) -> str | None:
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        head = self.aliases.get(node.id)
        if head is None:
            if node.id in self.toplevel or not self.star:
                return None
            head = f"{self.star[0]}.{node.id}"
        return ".".join([head] + parts[::-1])


def _collect(node: ast.AST, resolver: _Resolver, uses: Uses) -> None:
    for sub in ast.walk(node):
        if isinstance(sub, (ast.Attribute, ast.Name)):
            dotted = resolver.dotted(sub)
            if dotted:
                uses.dotted.append((dotted, sub.lineno))
            if isinstance(sub, ast.Attribute):
                # self.layer_norm(...) is the student's own method, not torch's function of that name
                if not (isinstance(sub.value, ast.Name) and sub.value.id in ("self", "cls")):
                    uses.attrs.append((sub.attr, sub.lineno))
            elif sub.id in resolver.toplevel:
                uses.calls.add(sub.id)
        elif isinstance(sub, ast.ImportFrom):
            for a in sub.names:
                uses.attrs.append((a.name, sub.lineno))
        elif isinstance(sub, ast.Call):
            func = sub.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in DYNAMIC:
                for arg in sub.args:
                    for const in ast.walk(arg):
                        if isinstance(const, ast.Constant) and isinstance(const.value, str):
                            uses.strings.append((const.value, const.lineno))


def collect_uses(tree: ast.Module) -> dict[str, Uses]:
    """Map each top-level def/class (and `<module>` for the rest) to what it uses."""
    resolver = _Resolver(tree)
    table: dict[str, Uses] = {MODULE: Uses()}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            table[node.name] = Uses()
            _collect(node, resolver, table[node.name])
        elif not isinstance(node, (ast.Import, ast.ImportFrom)) and not _is_alias(node, resolver):
            _collect(node, resolver, table[MODULE])
    return table


def _is_alias(node: ast.stmt, resolver: _Resolver) -> bool:
    """`x = torch.nn.functional` only names a thing; its uses count where x is used."""
    return isinstance(node, ast.Assign) and resolver.dotted(node.value) is not None or (
        isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))


def _matches(spec: str, uses: Uses) -> int | None:
    """The line where `uses` touches `spec`, or None."""
    if spec.startswith("."):
        leaf = spec[1:]
        return next((line for name, line in uses.attrs if name == leaf), None) or next(
            (line for s, line in uses.strings if s == leaf), None)
    leaf = spec.rsplit(".", 1)[-1]
    for dotted, line in uses.dotted:
        if dotted == spec or dotted.startswith(spec + "."):
            return line
    if "." in spec:
        for name, line in uses.attrs:
            if name == leaf:
                return line
    for s, line in uses.strings:
        if s == leaf or spec in s or s.startswith(spec):
            return line
    return None


def find_banned(source: str, banned: dict[str, tuple[str, ...]], targets: set[str]) -> dict[str, list[str]]:
    """For each target, the banned APIs it (or a helper it reaches, or module code) uses."""
    tree = ast.parse(source)
    table = collect_uses(tree)
    found: dict[str, list[str]] = {}
    for target in targets:
        specs = banned.get("*", ()) + banned.get(target, ())
        if not specs or target not in table:
            continue
        reach, todo = set(), [target, MODULE]
        while todo:
            name = todo.pop()
            if name in reach or name not in table:
                continue
            reach.add(name)
            todo.extend(table[name].calls)
        messages, seen_lines = [], set()
        for spec in specs:
            lines = [line for name in sorted(reach) if (line := _matches(spec, table[name])) is not None]
            if lines and min(lines) not in seen_lines:      # one use named once, by its first spec
                seen_lines.add(min(lines))
                api = spec if not spec.startswith(".") else f"`{spec[1:]}`"
                messages.append(f"{api} (line {min(lines)})")
        if messages:
            found[target] = messages
    return found

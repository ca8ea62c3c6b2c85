"""The walk behind graders/stages/banned (find_banned): one pass over the tree, linear in its size.

Each top-level definition (and `<module>` for code that runs at import: module statements,
class bodies, decorators, default values) gets a `Hits`: the first line of every banned
spec, dynamic lookup and private-API use it touches, and the top-level names it references.
The walk is iterative (no recursion on a hostile tree's depth) and counts nodes against a
budget.
"""
from __future__ import annotations

import ast
import time
from dataclasses import dataclass, field

from graders.stages.banned.names import Resolver, ScanLimitExceeded, is_alias, literal_getattr

MODULE = "<module>"

# Builtins that run code or look names up by a string built at run time.
DYNAMIC = {"eval", "exec", "compile", "__import__", "vars", "globals", "locals", "__builtins__",
           "breakpoint"}
# Builtins harmless as values but a lookup by any string when called with a computed name.
LOOKUPS = {"getattr", "setattr", "delattr"}
# Attributes that hand out a namespace (or a code object) as a dict or by a string.
DYNAMIC_ATTRS = {"__dict__", "__globals__", "__builtins__", "__getattribute__", "__getattr__",
                 "__subclasses__", "__loader__", "__spec__", "__code__", "__closure__", "__import__",
                 "__reduce__", "__reduce_ex__"}
# Modules and functions that reach any object by a string (or by bytes that name it). Frame and
# heap inspection (sys._getframe, f_globals, gc.get_objects) are left to the sandbox's
# tripwires, which see the call whatever path reached the callable.
DYNAMIC_DOTTED = ("builtins.eval", "builtins.exec", "builtins.compile", "builtins.__import__", "builtins.getattr",
                  "builtins.vars", "builtins.globals", "builtins.locals", "builtins.__dict__", "importlib",
                  "sys.modules", "operator.attrgetter", "operator.methodcaller", "inspect.getmodule",
                  "inspect.getmembers", "inspect.getattr_static", "pydoc.locate", "runpy", "pickle.loads", "pickle.load", "pickle.Unpickler",
                  "_pickle", "marshal.loads", "copyreg", "dill", "cloudpickle", "joblib.load", "shelve",
                  "pkgutil.resolve_name", "types.FunctionType", "types.CodeType", "code.interact", "codeop",
                  "torch.load", "torch.jit.load", "torch.package", "torch.hub")
# Not functools.reduce: correct solutions fold with it (BLEU's clipped counts), and a fold over
# `getattr` reaches a banned callable only by calling it, which the sandbox's tripwires see.
DYNAMIC_ROOTS: dict[str, list[str]] = {}
for _d in DYNAMIC_DOTTED:
    DYNAMIC_ROOTS.setdefault(_d.split(".")[0], []).append(_d)
# Entry points of a package's operator registry: they reach kernels by name.
REGISTRIES = ("torch.ops", "torch.library", "torch._ops", "torch._C", "torch._VF")
# Calls whose literal string arguments name attributes or modules.
STRING_CALLS = LOOKUPS | {"hasattr", "attrgetter", "methodcaller", "import_module", "__import__", "locate",
                          "eval", "exec", "compile", "get_submodule", "get_parameter"}
# A module passed to these is only looked at, not handed on.
INSPECTING = {"hasattr", "dir", "isinstance", "issubclass", "print", "repr", "str", "id", "callable", "type",
              "list", "tuple", "set", "frozenset", "sorted", "len", "iter", "enumerate"}

# How an expression's parent uses it: PLAIN may hand a module on; DEREF looks further into it;
# FUNC calls it; SAFE only looks at it (isinstance, print, a for loop's iterable); HELD is the
# object of a lookup (flagged by the lookup itself); ALLOWED is an import of a literal name.
PLAIN, DEREF, FUNC, SAFE, HELD, ALLOWED = 0, 1, 2, 3, 4, 5


class Spec:
    """The banned specs of an assignment, indexed for constant-time matching."""

    def __init__(self, specs: set[str]) -> None:
        self.dotted = {s for s in specs if not s.startswith(".")}
        self.depth = max((s.count(".") + 1 for s in self.dotted), default=0)
        self.leaves: dict[str, list[str]] = {}
        for s in specs:
            leaf = s[1:] if s.startswith(".") else s.rsplit(".", 1)[-1]
            if s.startswith(".") or "." in s:
                self.leaves.setdefault(leaf, []).append(s)
        self.prefixes: dict[str, list[str]] = {}      # proper prefixes: modules on the way to a ban
        for s in self.dotted:
            parts = s.split(".")
            for i in range(1, len(parts)):
                self.prefixes.setdefault(".".join(parts[:i]), []).append(s)
        self.roots = {s.split(".")[0] for s in self.dotted}


@dataclass
class Hits:
    """What one top-level definition touches: first line and reason per key."""

    first: dict[object, tuple[int, str]] = field(default_factory=dict)
    calls: set[str] = field(default_factory=set)

    def add(self, key: object, line: int, why: str = "") -> None:
        if key not in self.first or line < self.first[key][0]:
            self.first[key] = (line, why)


@dataclass
class Frame:
    """A method whose first parameter may name the student's own instance."""

    name: str
    valid: bool = True
    parent: "Frame | None" = None
    members: list[tuple[str, int, tuple[Hits, ...]]] = field(default_factory=list)

    def rebind(self, name: str) -> None:
        frame: Frame | None = self
        while frame is not None:
            if frame.name == name:
                if not frame.valid:
                    break                # it invalidated its parents when it was invalidated
                frame.valid = False
            frame = frame.parent


class Scanner:
    """One iterative walk that fills a Hits per top-level definition."""

    def __init__(self, tree: ast.Module, spec: Spec, *, max_nodes: int, deadline: float) -> None:
        self.tree, self.spec = tree, spec
        self.max_nodes, self.deadline = max_nodes, deadline
        self.resolver = Resolver(tree, max_nodes)
        self.table: dict[str, Hits] = {MODULE: Hits()}
        self.frames: list[Frame] = []
        self.stack: list[tuple[ast.AST, tuple[Hits, ...], Frame | None, int]] = []
        self.count = 0

    def run(self) -> dict[str, Hits]:
        module = self.table[MODULE]
        for node in self.tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.table[node.name] = Hits()
                self._definition(node, self.table[node.name], module, None)
            elif isinstance(node, (ast.Import, ast.ImportFrom)) or is_alias(node, self.resolver):
                continue
            elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                continue                                       # a docstring
            else:
                self.stack.append((node, (module,), None, PLAIN))
        self._drain()
        for frame in self.frames:
            for name, line, sinks in frame.members:
                if not (frame.valid and name in self.resolver.members):
                    self._leaf(name, line, sinks)
        return self.table

    def _definition(self, node: ast.AST, own: Hits, module: Hits, frame: Frame | None) -> None:
        """Queue a def or class: what runs at import counts for the module too."""
        at_import = (own, module)
        if isinstance(node, ast.ClassDef):
            for sub in node.bases + [k.value for k in node.keywords] + node.decorator_list:
                self.stack.append((sub, at_import, None, PLAIN))
            for stmt in node.body:
                if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    self._definition(stmt, own, module, self._method_frame(stmt))
                elif isinstance(stmt, ast.ClassDef):
                    self._definition(stmt, own, module, None)
                else:
                    self.stack.append((stmt, at_import, None, PLAIN))
            return
        for sub in node.decorator_list + [node.args] + ([node.returns] if node.returns else []):
            self.stack.append((sub, at_import, None, PLAIN))
        for stmt in node.body:
            self.stack.append((stmt, (own,), frame, PLAIN))

    def _method_frame(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> Frame | None:
        params = node.args.posonlyargs + node.args.args
        static = any((isinstance(d, ast.Name) and d.id == "staticmethod")
                     or (isinstance(d, ast.Attribute) and d.attr == "staticmethod") for d in node.decorator_list)
        if not params or static:
            return None
        frame = Frame(params[0].arg)
        self.frames.append(frame)
        return frame

    def _drain(self) -> None:
        while self.stack:
            node, sinks, frame, role = self.stack.pop()
            self.count += 1
            if self.count > self.max_nodes:
                raise ScanLimitExceeded(f"more than {self.max_nodes} syntax nodes")
            if not self.count & 0xFFF and time.monotonic() > self.deadline:
                raise ScanLimitExceeded("the scan ran out of time")
            self._visit(node, sinks, frame, role)

    def _visit(self, node: ast.AST, sinks: tuple[Hits, ...], frame: Frame | None, role: int) -> None:
        line = getattr(node, "lineno", 0)
        kind = type(node)
        if role != DEREF and (kind is ast.Name or kind is ast.Attribute or (
                kind is ast.Call and (literal_getattr(node) or self.resolver.imported(node)))):
            self._chain(node, sinks, role, line)
        children: list[tuple[ast.AST, int]] | None = None
        if isinstance(node, ast.Name):
            self._name(node, sinks, frame, role, line)
            return
        if isinstance(node, ast.Attribute):
            self._attribute(node, sinks, frame, line)
            children = [(node.value, DEREF)]
        elif isinstance(node, ast.Call):
            children = self._call(node, sinks, line)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            frame = self._nested_function(node, frame)
        else:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                self._imported(node, sinks, line)
            self._binding(node, frame)
        push = self.stack.append
        if kind is ast.Subscript and isinstance(node.ctx, STORED):
            children = [(node.value, SAFE), (node.slice, PLAIN)]
        elif kind in LOOKING:                          # a loop's iterable, a comparison: only looked at
            children = [(c, SAFE if f in LOOKING[kind] else PLAIN) for f in node._fields
                        for c in _field_nodes(getattr(node, f, None))]
        if children is not None:
            for child, child_role in children:
                push((child, sinks, frame, child_role))
            return
        for name in node._fields:                      # ast.iter_child_nodes, without its generator
            value = getattr(node, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        push((item, sinks, frame, PLAIN))
            elif isinstance(value, ast.AST):
                push((value, sinks, frame, PLAIN))

    def _chain(self, node: ast.AST, sinks: tuple[Hits, ...], role: int, line: int) -> None:
        dotted = self.resolver.dotted(node)
        if dotted is not None:
            stored = isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load)
            self._dotted(dotted, sinks, SAFE if stored else role, line)

    def _dotted(self, dotted: str, sinks: tuple[Hits, ...], role: int, line: int) -> None:
        """Record what a resolved dotted name touches: bans, escapes, private and dynamic APIs."""
        parts = dotted.split(".", self.spec.depth)
        for i in range(1, min(len(parts), self.spec.depth) + 1):
            prefix = ".".join(parts[:i])
            if prefix in self.spec.dotted:
                self._add(sinks, prefix, line)
        if role in (PLAIN, ALLOWED) and dotted in self.spec.prefixes:
            for spec in self.spec.prefixes[dotted]:
                self._add(sinks, spec, line, f"`{dotted}` is handed on as a value, so what it reaches "
                                             "cannot be checked")
        root = parts[0]
        if root in self.spec.roots and (_private_function(dotted)
                                        or any(dotted == r or dotted.startswith(r + ".") for r in REGISTRIES)):
            self._add(sinks, ("root", root), line, f"`{_short(dotted)}`, a private or by-name operator API")
        if role in (SAFE, ALLOWED):
            return
        for d in DYNAMIC_ROOTS.get(root, ()):
            if dotted == d or dotted.startswith(d + "."):
                self._add(sinks, ("dynamic", d), line, f"`{_short(dotted)}`, a lookup by name")
                break

    def _imported(self, node: ast.Import | ast.ImportFrom, sinks: tuple[Hits, ...], line: int) -> None:
        """An import inside a definition uses what it imports there."""
        for a in node.names:
            if isinstance(node, ast.Import):
                self._dotted(a.name, sinks, SAFE, line)
            elif node.module and not node.level:
                self._dotted(f"{node.module}.{a.name}", sinks, SAFE, line)
                self._leaf(a.name, line, sinks)

    def _name(self, node: ast.Name, sinks: tuple[Hits, ...], frame: Frame | None, role: int, line: int) -> None:
        if node.id in self.resolver.toplevel:
            for hits in sinks:
                hits.calls.add(node.id)
        if (node.id in DYNAMIC and role not in (SAFE, ALLOWED)) or (node.id in LOOKUPS and role not in (FUNC, SAFE)):
            self._add(sinks, ("dynamic", node.id), line, f"`{node.id}`, a lookup or code built at run time")
        if not isinstance(node.ctx, ast.Load) and frame is not None:
            frame.rebind(node.id)

    def _attribute(self, node: ast.Attribute, sinks: tuple[Hits, ...], frame: Frame | None, line: int) -> None:
        if node.attr in DYNAMIC_ATTRS:
            self._add(sinks, ("dynamic", node.attr), line, f"`{node.attr}`, a namespace looked up by name")
        if frame is not None and isinstance(node.value, ast.Name) and node.value.id == frame.name:
            frame.members.append((node.attr, line, sinks))     # decided once the method is read
        else:
            self._leaf(node.attr, line, sinks)

    def _leaf(self, name: str, line: int, sinks: tuple[Hits, ...]) -> None:
        for spec in self.spec.leaves.get(name, ()):
            self._add(sinks, spec, line)

    def _call(self, node: ast.Call, sinks: tuple[Hits, ...], line: int) -> list[tuple[ast.AST, int]]:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        values = list(node.args) + [k.value for k in node.keywords]
        if name in STRING_CALLS:
            for arg in values:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    self._strings(arg.value, arg.lineno, sinks)
        if isinstance(func, ast.Name) and func.id in LOOKUPS and len(node.args) >= 2 and not (
                isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)):
            dotted = self.resolver.dotted(node.args[0])
            if dotted and dotted.split(".")[0] in self.spec.roots:
                self._add(sinks, ("root", dotted.split(".")[0]), line,
                          f"`{func.id}({_short(dotted)}, ...)` with a name computed at run time")
        imported = self.resolver.imported(node)
        held = isinstance(func, ast.Name) and func.id in LOOKUPS | DYNAMIC
        inspected = isinstance(func, ast.Name) and func.id in INSPECTING
        first = DEREF if literal_getattr(node) else HELD if held else SAFE if inspected else PLAIN
        children = [(func, ALLOWED if imported else FUNC)]
        children += [(a, first if i == 0 else PLAIN) for i, a in enumerate(node.args)]
        children += [(k.value, PLAIN) for k in node.keywords]
        return children

    def _strings(self, text: str, line: int, sinks: tuple[Hits, ...]) -> None:
        for spec in self.spec.leaves.get(text, ()):
            self._add(sinks, spec, line)
        for spec in self.spec.dotted:
            if spec in text:
                self._add(sinks, spec, line)

    def _nested_function(self, node: ast.AST, frame: Frame | None) -> Frame | None:
        """A def or lambda inside a method: its own parameter named like `self` is not `self`."""
        if frame is None:
            return None
        args = node.args                                       # type: ignore[attr-defined]
        names = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
        names += [a.arg for a in (args.vararg, args.kwarg) if a is not None]
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            frame.rebind(node.name)
        if frame.name in names:
            inner = Frame(frame.name, valid=False)      # its uses are read as anyone's attributes
            self.frames.append(inner)
            return inner
        return frame

    def _binding(self, node: ast.AST, frame: Frame | None) -> None:
        """Names bound by other statements than assignment: each may rebind `self`."""
        if frame is None:
            return
        names: list[str] = []
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            names = list(node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names = [node.name]
        elif isinstance(node, ast.alias):
            names = [node.asname or node.name.split(".")[0]]
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            names = [node.name]
        elif isinstance(node, ast.MatchMapping) and node.rest:
            names = [node.rest]
        elif isinstance(node, ast.ClassDef):
            names = [node.name]
        for name in names:
            frame.rebind(name)

    @staticmethod
    def _add(sinks: tuple[Hits, ...], key: object, line: int, why: str = "") -> None:
        for hits in sinks:
            hits.add(key, line, why)


LOOKING = {ast.For: ("iter",), ast.AsyncFor: ("iter",), ast.comprehension: ("iter",),
           ast.Compare: ("left", "comparators")}
# `sys.modules[name] = value` stores: what is stored is checked as any value is.
STORED = (ast.Store, ast.Del)


def _field_nodes(value: object) -> list[ast.AST]:
    if isinstance(value, list):
        return [v for v in value if isinstance(v, ast.AST)]
    return [value] if isinstance(value, ast.AST) else []


def _private_function(dotted: str) -> bool:
    """`torch._C`, `torch.nn.functional._in_projection`: a private name inside the package's modules
    (not a private method of one of its classes, such as `torch.Tensor._make_subclass`)."""
    for part in dotted.split(".")[1:]:
        if part.startswith("_") and not part.startswith("__"):
            return True
        if part[:1].isupper():
            return False
    return False


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "..."

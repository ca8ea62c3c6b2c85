"""Imports flow one way: the apps' services and tasks form no circle, and seqlab.core imports no app."""
import ast
from pathlib import Path

SEQLAB = Path(__file__).resolve().parents[2] / "platform" / "seqlab"
APPS = ("accounts", "blobs", "courses", "submissions", "gradebook", "api")


def _imports(path: Path) -> set[str]:
    """Every seqlab module `path` imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("seqlab."):
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("seqlab.")}
    return found


def _module(path: Path) -> str:
    return "seqlab." + ".".join(path.relative_to(SEQLAB).with_suffix("").parts)


def test_core_imports_no_app():
    for path in (SEQLAB / "core").rglob("*.py"):
        apps = {m for m in _imports(path) if m.split(".")[1] in APPS}
        assert not apps, f"{path.name} imports {apps}"


def test_services_and_tasks_import_each_other_in_no_circle():
    nodes = {_module(p): p for app in APPS + ("core",) for name in ("services.py", "tasks.py")
             for p in [SEQLAB / app / name] if p.is_file()}
    edges = {m: {n for n in _imports(p) if n in nodes} for m, p in nodes.items()}
    state: dict[str, str] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for nxt in edges[node]:
            assert state.get(nxt) != "open", "import circle: " + " → ".join(trail + [node, nxt])
            if nxt not in state:
                visit(nxt, trail + [node])
        state[node] = "done"

    for node in nodes:
        if node not in state:
            visit(node, [])

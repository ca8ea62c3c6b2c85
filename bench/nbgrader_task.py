"""The attention task as an nbgrader assignment, for bench/warm_vs_cold.py.

Builds, in a temporary course directory, an nbgrader *source* notebook (one solution cell
holding the reference implementation, autograder test cells with points that check it
against values computed with torch), lets nbgrader's own `generate_assignment` produce the
student version, and writes one submitted notebook per student whose solution cell holds
exactly the code of a submitted attention.py.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ASSIGNMENT = "attention"
NOTEBOOK = "attention.ipynb"
SOLUTION_ID = "attention_impl"

# (grade_id, points, code). Each cell is self-contained (own seed, own inputs) so that a
# failure in one does not change the inputs of the next, like the engine's checks.
TESTS: list[tuple[str, int, str]] = [
    ("test_sdpa_small", 4, """
        import math
        import torch
        torch.manual_seed(1)
        q, k, v = torch.randn(2, 3, 4), torch.randn(2, 5, 4), torch.randn(2, 5, 6)
        out, weights = scaled_dot_product_attention(q, k, v)
        assert tuple(weights.shape) == (2, 3, 5), weights.shape
        assert tuple(out.shape) == (2, 3, 6), out.shape
        assert torch.allclose(weights, torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(4), dim=-1), atol=1e-5)
        assert torch.allclose(out, torch.nn.functional.scaled_dot_product_attention(q, k, v), atol=1e-5)
    """),
    ("test_sdpa_mask", 4, """
        import torch
        torch.manual_seed(2)
        q, k, v = torch.randn(2, 2, 4, 8), torch.randn(2, 2, 6, 8), torch.randn(2, 2, 6, 3)
        mask = torch.rand(2, 1, 4, 6) < 0.6
        mask[..., 0] = True
        out, weights = scaled_dot_product_attention(q, k, v, mask)
        expected = torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        assert torch.allclose(out, expected, atol=1e-5)
        assert torch.all(weights[~mask.expand(2, 2, 4, 6)] == 0)
        assert torch.allclose(weights.sum(-1), torch.ones(2, 2, 4), atol=1e-5)
    """),
    ("test_sdpa_dead_rows", 4, """
        import torch
        torch.manual_seed(3)
        q, k, v = torch.randn(1, 3, 4), torch.randn(1, 5, 4), torch.randn(1, 5, 2)
        mask = torch.ones(1, 3, 5, dtype=torch.bool)
        mask[0, 1] = False
        out, weights = scaled_dot_product_attention(q, k, v, mask)
        assert torch.isfinite(out).all() and torch.isfinite(weights).all()
        assert torch.all(weights[0, 1] == 0) and torch.all(out[0, 1] == 0)
        expected = torch.nn.functional.scaled_dot_product_attention(q[:, [0, 2]], k, v)
        assert torch.allclose(out[:, [0, 2]], expected, atol=1e-5)
    """),
    ("test_causal_mask", 4, """
        import torch
        for n in (1, 2, 7):
            m = causal_mask(n)
            assert m.dtype == torch.bool and tuple(m.shape) == (n, n)
            assert torch.equal(m, torch.ones(n, n, dtype=torch.bool).tril())
        try:
            causal_mask(0)
        except ValueError:
            pass
        else:
            raise AssertionError("causal_mask(0) must raise ValueError")
    """),
    ("test_additive", 6, """
        import torch
        torch.manual_seed(4)
        module = AdditiveAttention(3, 4, 5)
        W_q, W_k, w_v = torch.randn(5, 3) / 3 ** 0.5, torch.randn(5, 4) / 2, torch.randn(1, 5) / 5 ** 0.5
        module.load_state_dict({"W_q.weight": W_q, "W_k.weight": W_k, "w_v.weight": w_v})
        q, k, v = torch.randn(2, 3, 3), torch.randn(2, 4, 4), torch.randn(2, 4, 2)
        with torch.no_grad():
            out, weights = module(q, k, v)
        scores = (torch.tanh((q @ W_q.T)[:, :, None] + (k @ W_k.T)[:, None]) @ w_v.T)[..., 0]
        expected = torch.softmax(scores, dim=-1)
        assert torch.allclose(weights, expected, atol=1e-5)
        assert torch.allclose(out, expected @ v, atol=1e-5)
    """),
    ("test_additive_mask", 4, """
        import torch
        torch.manual_seed(5)
        module = AdditiveAttention(4, 4, 6)
        W_q, W_k, w_v = torch.randn(6, 4) / 2, torch.randn(6, 4) / 2, torch.randn(1, 6) / 6 ** 0.5
        module.load_state_dict({"W_q.weight": W_q, "W_k.weight": W_k, "w_v.weight": w_v})
        q, k, v = torch.randn(2, 3, 4), torch.randn(2, 5, 4), torch.randn(2, 5, 3)
        mask = torch.tensor([[True] * 5, [True, True, True, False, False]])[:, None, :]
        with torch.no_grad():
            out, weights = module(q, k, v, mask)
        scores = (torch.tanh((q @ W_q.T)[:, :, None] + (k @ W_k.T)[:, None]) @ w_v.T)[..., 0]
        expected = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)
        assert torch.allclose(weights, expected, atol=1e-5)
        assert torch.allclose(out, expected @ v, atol=1e-5)
    """),
    ("test_mha_matches_torch", 8, """
        import torch
        from torch import nn
        torch.manual_seed(6)
        d_model, num_heads, n = 16, 4, 6
        theirs = nn.MultiheadAttention(d_model, num_heads, batch_first=True)
        with torch.no_grad():
            theirs.in_proj_bias.normal_(0, 0.5)
            theirs.out_proj.bias.normal_(0, 0.5)
        w, b = theirs.in_proj_weight.detach(), theirs.in_proj_bias.detach()
        state = {}
        for i, name in enumerate(("W_q", "W_k", "W_v")):
            state[f"{name}.weight"] = w[i * d_model:(i + 1) * d_model].clone()
            state[f"{name}.bias"] = b[i * d_model:(i + 1) * d_model].clone()
        state["W_o.weight"] = theirs.out_proj.weight.detach().clone()
        state["W_o.bias"] = theirs.out_proj.bias.detach().clone()
        module = MultiHeadAttention(d_model, num_heads)
        module.load_state_dict(state)
        x = torch.randn(2, n, d_model)
        causal = torch.ones(n, n, dtype=torch.bool).tril()
        with torch.no_grad():
            out, weights = module(x, x, x, causal[None])
            exp_out, exp_weights = theirs(x, x, x, attn_mask=~causal, average_attn_weights=False)
        assert tuple(weights.shape) == (2, num_heads, n, n), weights.shape
        assert torch.allclose(weights, exp_weights, atol=1e-5)
        assert torch.allclose(out, exp_out, atol=1e-5)
    """),
    ("test_mha_gradients", 6, """
        import torch
        torch.manual_seed(7)
        module = MultiHeadAttention(12, 3)
        query = torch.randn(2, 4, 12, requires_grad=True)
        key = torch.randn(2, 5, 12, requires_grad=True)
        value = torch.randn(2, 5, 12, requires_grad=True)
        out, _ = module(query, key, value)
        out.backward(torch.randn(2, 4, 12))
        for t in (query, key, value):
            assert t.grad is not None and t.grad.abs().sum() > 0
        for name, p in module.named_parameters():
            assert p.grad is not None and p.grad.abs().sum() > 0, name
    """),
]
POINTS = sum(points for _, points, _ in TESTS)


def _meta(grade_id: str, *, grade: bool, solution: bool, points: int = 0) -> dict:
    meta = {"grade": grade, "solution": solution, "locked": not solution, "grade_id": grade_id,
            "schema_version": 3, "task": False}
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def source_notebook(reference_code: str):
    """The instructor's notebook: statement, solution cell (the reference), test cells."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
    cells = [new_markdown_cell("# Attention\nImplement `scaled_dot_product_attention`, `causal_mask`, "
                               "`AdditiveAttention` and `MultiHeadAttention` in the next cell.",
                               metadata=_meta("statement", grade=False, solution=False))]
    cells[0].metadata["nbgrader"]["locked"] = True
    cells.append(new_code_cell("### BEGIN SOLUTION\n" + reference_code.rstrip() + "\n### END SOLUTION",
                               metadata=_meta(SOLUTION_ID, grade=False, solution=True)))
    for grade_id, points, code in TESTS:
        cells.append(new_code_cell(textwrap.dedent(code).strip(),
                                   metadata=_meta(grade_id, grade=True, solution=False, points=points)))
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"}})
    nbformat.validate(nb)
    return nb


def nbgrader_env(extra: dict[str, str] | None = None, *, home: Path) -> dict[str, str]:
    """Offline, headless, and nothing written outside the temporary course directory."""
    env = dict(os.environ)
    # nbgrader runs `alembic` (its database migrations) from PATH: the one beside this interpreter
    # (a virtual environment's bin/ is on no PATH unless activated).
    env["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), env.get("PATH", "")])
    env.update({"JUPYTER_PLATFORM_DIRS": "1", "IPYTHONDIR": str(home / "ipython"),
                "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "JUPYTER_CONFIG_DIR": str(home / "jupyter-config"),
                "MPLBACKEND": "Agg", "PYTHONWARNINGS": "ignore"})
    env.update(extra or {})
    return env


CONFIG = """\
c = get_config()  # noqa: F821
c.CourseDirectory.root = {root!r}
c.CourseDirectory.course_id = "seqlab-bench"
c.CourseDirectory.db_url = {db_url!r}
c.Execute.timeout = 120
c.Execute.kernel_name = "python3"
c.Execute.startup_timeout = 120
c.Autograde.create_student = True
"""


def nbgrader(args: list[str], *, course: Path, env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nbgrader", *args, "--log-level=WARN"], cwd=course, env=env,
                          capture_output=True, text=True, timeout=timeout)


class Course:
    """A temporary nbgrader course with the attention assignment generated and N submissions."""

    def __init__(self, root: Path, reference_code: str, env_extra: dict[str, str] | None = None) -> None:
        import nbformat
        self.root = root
        self.home = root / "_home"
        self.db_url = f"sqlite:///{root / 'gradebook.db'}"
        self.env = nbgrader_env(env_extra, home=self.home)
        self.home.mkdir(parents=True, exist_ok=True)
        (root / "nbgrader_config.py").write_text(CONFIG.format(root=str(root), db_url=self.db_url))
        source = root / "source" / ASSIGNMENT
        source.mkdir(parents=True)
        nbformat.write(source_notebook(reference_code), source / NOTEBOOK)

    def generate(self) -> None:
        proc = nbgrader(["generate_assignment", ASSIGNMENT, "--force"], course=self.root, env=self.env)
        if proc.returncode != 0 or not (self.root / "release" / ASSIGNMENT / NOTEBOOK).is_file():
            raise RuntimeError(f"nbgrader generate_assignment failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")

    def submit(self, student: str, code: str) -> Path:
        """The released notebook with its solution cell replaced by the submitted code."""
        import nbformat
        nb = nbformat.read(self.root / "release" / ASSIGNMENT / NOTEBOOK, as_version=4)
        cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == SOLUTION_ID]
        if len(cells) != 1:
            raise RuntimeError("the released notebook lost its solution cell")
        cells[0].source = code.rstrip() + "\n"
        path = self.root / "submitted" / student / ASSIGNMENT / NOTEBOOK
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
        return path

    def autograde(self, student: str | None = None) -> subprocess.CompletedProcess:
        """Autograde one student's submission, or (student=None) every submission in one process."""
        who = ["--student", student] if student else []
        return nbgrader(["autograde", ASSIGNMENT, *who, "--force"], course=self.root, env=self.env, timeout=3600)

    def score(self, student: str) -> tuple[float, float]:
        from nbgrader.api import Gradebook
        with Gradebook(self.db_url) as gb:
            sub = gb.find_submission(ASSIGNMENT, student)
            return float(sub.score), float(sub.max_score)

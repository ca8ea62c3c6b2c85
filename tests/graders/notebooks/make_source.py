"""Build the nbgrader source notebook used by test_notebook.py (kept as code so it is reviewable)."""
import nbformat


def source_notebook() -> nbformat.NotebookNode:
    v4 = nbformat.v4
    nb = v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    cells = [
        v4.new_markdown_cell("# Softmax\n\nImplement $\\mathrm{softmax}(x)_i = e^{x_i} / \\sum_j e^{x_j}$."),
        v4.new_code_cell("import torch"),
        v4.new_code_cell("def softmax(x):\n    ### BEGIN SOLUTION\n    e = torch.exp(x - x.max(-1, keepdim=True).values)\n"
                         "    return e / e.sum(-1, keepdim=True)\n    ### END SOLUTION"),
        v4.new_code_cell("class Scaler:\n    def __init__(self, k):\n        ### BEGIN SOLUTION\n        self.k = k\n"
                         "        ### END SOLUTION\n\n    def apply(self, x):\n        ### BEGIN SOLUTION\n"
                         "        return x * self.k\n        ### END SOLUTION"),
        v4.new_code_cell("x = torch.tensor([[1.0, 2.0, 3.0]])\n"
                         "assert torch.allclose(softmax(x).sum(-1), torch.ones(1))"),
        v4.new_code_cell("assert torch.allclose(Scaler(3.0).apply(torch.ones(2)), torch.full((2,), 3.0))\n"
                         "### BEGIN HIDDEN TESTS\ny = torch.randn(4, 7) * 100\n"
                         "assert torch.allclose(softmax(y), torch.softmax(y, -1), atol=1e-6)\n### END HIDDEN TESTS"),
    ]
    cells[2].metadata["nbgrader"] = {"solution": True, "grade": False, "grade_id": "softmax", "locked": False,
                                     "schema_version": 3}
    cells[3].metadata["nbgrader"] = {"solution": True, "grade": False, "grade_id": "scaler", "locked": False,
                                     "schema_version": 3}
    cells[4].metadata["nbgrader"] = {"solution": False, "grade": True, "grade_id": "softmax_sums_to_one",
                                     "points": 2, "locked": True, "schema_version": 3}
    cells[5].metadata["nbgrader"] = {"solution": False, "grade": True, "grade_id": "scaler_and_stability",
                                     "points": 3, "locked": True, "schema_version": 3}
    nb.cells = cells
    return nb

"""Banned APIs are found statically, through aliases, helpers and dynamic lookups."""
import pytest

from graders.stages.banned import find_banned

SDPA = "torch.nn.functional.scaled_dot_product_attention"
BANNED = {"*": (SDPA, "torch.nn.MultiheadAttention"), "backward_fn": ("torch.autograd", ".backward")}
TARGETS = {"attn", "other", "backward_fn", "Model"}


def banned_in(source):
    return find_banned(source, BANNED, TARGETS)


@pytest.mark.parametrize("source", [
    "import torch\ndef attn(q):\n    return torch.nn.functional.scaled_dot_product_attention(q, q, q)\n",
    "import torch.nn.functional as F\ndef attn(q):\n    return F.scaled_dot_product_attention(q, q, q)\n",
    "from torch.nn import functional as F\ndef attn(q):\n    return F.scaled_dot_product_attention(q, q, q)\n",
    "from torch.nn.functional import scaled_dot_product_attention as s\ndef attn(q):\n    return s(q, q, q)\n",
    "import torch.nn.functional as F\nsdpa = F.scaled_dot_product_attention\nalias = sdpa\ndef attn(q):\n    return alias(q, q, q)\n",
    "import torch.nn.functional as F\ndef attn(q):\n    return getattr(F, 'scaled_dot_product_attention')(q, q, q)\n",
    "import torch\ndef attn(q):\n    return eval('torch.nn.functional.scaled_dot_product_attention')(q, q, q)\n",
    "import torch\ndef _helper(q):\n    return torch._C._nn.scaled_dot_product_attention(q, q, q)\ndef attn(q):\n    return _helper(q)\n",
    "from torch.nn.functional import *\ndef attn(q):\n    return scaled_dot_product_attention(q, q, q)\n",
    "def attn(q):\n    import torch.nn.functional as G\n    return G.scaled_dot_product_attention(q, q, q)\n",
])
def test_sdpa_is_found_however_it_is_reached(source):
    found = banned_in(source)
    assert "attn" in found and SDPA in found["attn"][0]


def test_a_ban_costs_only_the_targets_that_reach_it():
    source = ("import torch\nimport torch.nn.functional as F\n"
              "def attn(q):\n    return F.scaled_dot_product_attention(q, q, q)\n"
              "def other(q):\n    return torch.softmax(q, -1)\n")
    found = banned_in(source)
    assert set(found) == {"attn"}
    assert "line 4" in found["attn"][0]


def test_class_bases_count_for_the_class():
    source = "import torch.nn as nn\nclass Model(nn.MultiheadAttention):\n    pass\n"
    assert "torch.nn.MultiheadAttention" in banned_in(source)["Model"][0]


def test_per_function_bans_apply_to_that_function_only():
    source = ("import torch\n"
              "def backward_fn(x):\n    y = (x * 2).sum()\n    y.backward()\n    return x.grad\n"
              "def other(x):\n    x.sum().backward()\n    return torch.autograd.grad\n")
    found = banned_in(source)
    assert set(found) == {"backward_fn"} and "`backward`" in found["backward_fn"][0]


def test_autograd_alias_is_found():
    source = "from torch import autograd as ag\ndef backward_fn(x):\n    return ag.grad(x.sum(), x)\n"
    assert "torch.autograd" in banned_in(source)["backward_fn"][0]


def test_own_function_names_and_docstrings_are_not_bans():
    source = ('"""Uses scaled_dot_product_attention ideas, not torch.nn.MultiheadAttention."""\n'
              "import torch\n__all__ = ['scaled_dot_product_attention']\n"
              "def scaled_dot_product_attention(q):\n    return q\n"
              "def attn(q):\n    '''like nn.MultiheadAttention'''\n    return scaled_dot_product_attention(q)\n")
    assert banned_in(source) == {}


def test_module_level_use_counts_against_every_target():
    source = ("import torch\nlayer = torch.nn.MultiheadAttention(4, 2)\n"
              "def attn(q):\n    return q\ndef other(q):\n    return q\n")
    assert set(banned_in(source)) == {"attn", "other"}


def test_own_methods_named_like_banned_functions_are_allowed():
    banned = {"*": ("torch.nn.functional.scaled_dot_product_attention",)}
    source = ("class Model:\n    def scaled_dot_product_attention(self, q):\n        return q\n"
              "    def forward(self, q):\n        return self.scaled_dot_product_attention(q)\n")
    assert find_banned(source, banned, {"Model"}) == {}


def test_one_use_is_named_once():
    banned = {"*": ("torch.nn.functional.layer_norm", "torch.layer_norm")}
    source = "import torch\ndef ln(x):\n    return torch.nn.functional.layer_norm(x, x.shape[-1:])\n"
    assert len(find_banned(source, banned, {"ln"})["ln"]) == 1


# ------------------------------------------------------------------ no local name is trusted

@pytest.mark.parametrize("source", [
    # `self` rebound to the module inside a method of a class that has a member of that name
    "import torch.nn.functional as F\nclass Model:\n    def scaled_dot_product_attention(self, q):\n        return q\n"
    "    def forward(self, q):\n        self = F\n        return self.scaled_dot_product_attention(q, q, q)\n",
    # a parameter named self in a plain function, defaulting to the module
    "import torch.nn.functional as F\ndef attn(q, self=F):\n    return self.scaled_dot_product_attention(q, q, q)\n",
    "import torch.nn.functional as F\ndef attn(cls):\n    return cls.scaled_dot_product_attention(cls, cls, cls)\n",
    # a staticmethod's first parameter is whatever the caller passes
    "import torch.nn.functional as F\nclass Model:\n    def scaled_dot_product_attention(self, q):\n        return q\n"
    "    @staticmethod\n    def forward(self, q):\n        return self.scaled_dot_product_attention(q, q, q)\n",
    # self rebound by a loop, a with, an except, a walrus, a nested lambda's parameter
    "import torch.nn.functional as F\nclass Model:\n    def scaled_dot_product_attention(self, q):\n        return q\n"
    "    def forward(self, q):\n        for self in [F]:\n            return self.scaled_dot_product_attention(q, q, q)\n",
    "import torch.nn.functional as F\nclass Model:\n    def scaled_dot_product_attention(self, q):\n        return q\n"
    "    def forward(self, q):\n        return (lambda self: self.scaled_dot_product_attention(q, q, q))(self)\n",
])
def test_local_names_are_not_trusted(source):
    found = find_banned(source, BANNED, TARGETS | {"Model"})
    assert any(SDPA in m for ms in found.values() for m in ms), found


@pytest.mark.parametrize("source, what", [
    ("import torch.nn.functional as F\ndef attn(q):\n    return getattr(F, 'scaled_dot_product_' + 'attention')(q, q, q)\n",
     "computed"),
    ("import torch\ndef attn(q):\n    name = ''.join(['scaled_dot', '_product_attention'])\n"
     "    return getattr(torch.nn.functional, name)(q, q, q)\n", "computed"),
    ("import torch\ndef attn(q):\n    return vars(torch.nn.functional)['scaled_dot_product_' 'attention'](q, q, q)\n", "vars"),
    ("import torch\ndef attn(q):\n    return torch.nn.functional.__dict__['sdpa'.replace('sdpa', 'x')](q, q, q)\n", "__dict__"),
    ("import torch\ndef attn(q):\n    return torch.ops.aten._scaled_dot_product_flash_attention(q, q, q)\n", "torch.ops"),
    ("import torch\ndef attn(q):\n    return torch._C._nn._scaled_dot_product_attention_math(q, q, q)\n", "private"),
    ("import importlib\ndef attn(q):\n    m = importlib.import_module('torch.nn.' + 'functional')\n"
     "    return m.sdpa(q)\n", "importlib"),
    ("def attn(q):\n    return __import__('tor' + 'ch').nn.functional\n", "__import__"),
    ("def attn(q):\n    return __import__('torch').nn.functional\n", "handed on as a value"),
    ("import importlib\ndef attn(q):\n    m = importlib.import_module('torch.nn.functional')\n    return m\n",
     "handed on as a value"),
    ("import torch.nn.functional as F\ndef attn(q):\n    return globals()['F']\n", "globals"),
    ("import sys\ndef attn(q):\n    return sys.modules['torch.nn.functional']\n", "sys.modules"),
    ("import operator\ndef attn(q, n):\n    return operator.attrgetter(n)(q)\n", "operator.attrgetter"),
    ("def attn(q):\n    return eval(bytes([70]).decode())\n", "eval"),
    ("def attn(q):\n    exec('x = 1')\n", "exec"),
    ("import builtins\ndef attn(q):\n    return builtins.getattr\n", "builtins"),
    ("import torch.nn.functional as F\ndef attn(q):\n    m = F\n    return m\n", "handed on as a value"),
    ("import torch.nn.functional as F\nclass Model:\n    def scaled_dot_product_attention(self, q):\n        return q\n"
     "    def forward(self, q):\n        return self.scaled_dot_product_attention(q)\n"
     "def attn(q):\n    return Model.forward(F, q)\n", "handed on as a value"),
    ("import torch\ndef attn(q):\n    return map(getattr, [torch], ['nn'])\n", "getattr"),
    # code that runs at import (a decorator of an unused function) stashes the API in a global
    ("import torch.nn.functional as F\n@(lambda f: globals().update(y=F.scaled_dot_product_attention) or f)\n"
     "def unused():\n    pass\ndef attn(q):\n    return y(q, q, q)\n", SDPA),
])
def test_lookups_by_string_are_flagged(source, what):
    found = banned_in(source)
    assert "attn" in found and what in " ".join(found["attn"]), found


@pytest.mark.parametrize("source", [
    "import torch\nclass Model(torch.nn.Module):\n    def __init__(self):\n        super().__init__()\n"
    "        for i in range(2):\n            setattr(self, f'layer{i}', torch.nn.Linear(2, 2))\n"
    "    def forward(self, x):\n        return getattr(self, f'layer{0}')(x)\n",
    "import torch\ndef attn(model, q):\n    model.eval()\n    return torch.softmax(q, -1)\n",
    "import torch.nn.functional as F\ndef attn(q):\n    return getattr(F, 'relu')(q) if hasattr(F, 'gelu') else q\n",
    "import torch\ndef attn(q):\n    assert isinstance(q, torch.Tensor) and q.dtype == torch.float32\n    return q\n",
    "import sys\ndef attn(q):\n    sys.modules['helper'] = q\n    return [n for n in sys.modules if n.startswith('torch')]\n",
    "def attn(q):\n    return __import__('math').sqrt(q)\n",
    "import torch\ndef attn(q):\n    return torch.Tensor._make_subclass(torch.Tensor, q)\n",
])
def test_ordinary_code_is_not_flagged(source):
    assert find_banned(source, BANNED, TARGETS | {"Model"}) == {}


def test_the_scan_reads_the_program_the_compiler_reads():
    # UTF-8 shows one comment line; the compiler, told UTF-7, reads an import and a banned call.
    source = (b"# coding: utf-7\n# x+AAo-import torch.nn.functional as F+AAo-"
              b"def attn(q): return F.scaled_dot_product_attention(q, q, q)\n")
    assert "attn" in find_banned(source, BANNED, TARGETS)


def test_the_scan_is_bounded():
    from graders.stages.banned import ScanLimitExceeded
    source = "x = [" + "a.b, " * 50_000 + "]\n"
    with pytest.raises(ScanLimitExceeded):
        find_banned(source, BANNED, TARGETS, max_nodes=10_000)


def test_a_fold_with_functools_reduce_is_not_a_banned_lookup():
    """A correct BLEU solution folds clipped counts with reduce; that is no lookup by name."""
    from graders.stages.banned import find_banned
    source = ("from functools import reduce\n\n"
              "def corpus_bleu(refs):\n    return reduce(lambda a, b: a | b, refs)\n")
    found = find_banned(source, {"*": ("sacrebleu",)}, {"corpus_bleu"})
    assert not any(found.values()), found
    computed = "def corpus_bleu(name):\n    return __import__(name).corpus_bleu\n"
    assert any(find_banned(computed, {"*": ("sacrebleu",)}, {"corpus_bleu"}).values())   # a computed import is

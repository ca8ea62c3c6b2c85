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

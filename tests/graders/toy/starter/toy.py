import torch


def double(x):
    """Return 2 * x without changing x."""
    raise NotImplementedError


def softmax_rows(x):
    """Softmax over the last axis."""
    raise NotImplementedError


def double_sum(x):
    """Gradient of sum(2 * x) with respect to x, computed by hand."""
    raise NotImplementedError


class Scale(torch.nn.Module):
    def __init__(self, d):
        super().__init__()
        raise NotImplementedError

"""Hostile toy.py: return objects that run code when a grader unpickles or compares them.

double returns an object whose __reduce__ runs a shell command (creating
/tmp/seqlab_pwned_pickle on the host if it were ever unpickled there) and whose __eq__,
__array__ and __torch_function__ claim equality; softmax_rows returns the pickled bytes of
such an object; double_sum returns a tensor-like impostor with a lying __eq__ and allclose;
Scale's forward returns a list subclass that equals everything.
Expected: the grader never unpickles or calls back into these objects; every check of the
four functions fails (wrong type), and the host has no /tmp/seqlab_pwned_pickle.
"""
import os
import pickle

import torch


class Payload:
    def __reduce__(self):
        return (os.system, ("touch /tmp/seqlab_pwned_pickle",))

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __bool__(self):
        return True

    def __array__(self, *args, **kwargs):
        import numpy as np
        return np.zeros(0)

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        return True

    @property
    def shape(self):
        return torch.Size([3, 4])

    dtype = torch.float32


class Impostor(Payload):
    """Duck-types a tensor: shape, dtype, allclose, numpy(), detach()..."""

    def allclose(self, *a, **k):
        return True

    def numpy(self):
        import numpy as np
        return np.zeros((3, 4), dtype="float32")

    def detach(self):
        return self

    def cpu(self):
        return self

    def __len__(self):
        return 3


class EqualsAll(list):
    def __eq__(self, other):
        return True


def double(x):
    return Payload()


def softmax_rows(x):
    return pickle.dumps(Payload())


def double_sum(x):
    return Impostor()


class Scale(torch.nn.Module):
    def __init__(self, d):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(d))

    def forward(self, x):
        return EqualsAll([Payload()])

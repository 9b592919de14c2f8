"""Float64 central-difference gradient checks for every differentiable op."""
import numpy as np
import pytest

from core_op_cases import CASES
from nnfoundation.gradcheck import gradcheck


SMOOTH = [c for c in CASES if c.finite_differences]


@pytest.mark.parametrize("case", SMOOTH, ids=[c.name for c in SMOOTH])
def test_op_gradient_matches_finite_differences(case):
    rng = np.random.default_rng(3)
    inputs = [rng.uniform(case.low, case.high, size=shape) for shape in case.shapes]
    weights = None

    def weighted(*tensors):
        nonlocal weights
        out = case.nn_fn(*tensors)
        if weights is None:
            weights = np.random.default_rng(4).standard_normal(out.shape)
        return out * weights          # a random linear functional exercises every output entry

    worst = gradcheck(weighted, inputs, eps=1e-6, atol=1e-6, rtol=1e-5)
    assert worst < 1e-5

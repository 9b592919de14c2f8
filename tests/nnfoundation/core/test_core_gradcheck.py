"""Float64 central-difference gradient checks for every differentiable op."""

import numpy as np
import pytest
from core_op_cases import CASES, shape_sets

from nnfoundation.gradcheck import gradcheck

SMOOTH = [c for c in CASES if c.finite_differences]


@pytest.mark.parametrize("case", SMOOTH, ids=[c.name for c in SMOOTH])
def test_op_gradient_matches_finite_differences(case):
    for shapes in shape_sets(case):
        rng = np.random.default_rng(3)
        inputs = [rng.uniform(case.low, case.high, size=shape) for shape in shapes]
        weights = {}

        def weighted(*tensors, weights=weights):
            out = case.nn_fn(*tensors)
            if "w" not in weights:
                weights["w"] = np.random.default_rng(4).standard_normal(out.shape)
            return out * weights["w"]  # a random linear functional exercises every output entry

        worst = gradcheck(weighted, inputs, eps=1e-6, atol=1e-6, rtol=1e-5)
        assert worst < 1e-5, f"shapes {shapes}"

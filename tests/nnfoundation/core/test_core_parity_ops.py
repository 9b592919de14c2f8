"""Forward values and input gradients of every op match torch (float64 rtol 1e-8, float32 rtol 1e-4),
over the case's shapes plus extra shape combinations (scalars, higher ranks, other broadcasts)."""

import numpy as np
import pytest
from core_op_cases import CASES, MORE_SHAPES, shape_sets


def test_extra_shapes_name_existing_cases():
    assert set(MORE_SHAPES) <= {case.name for case in CASES}


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_op_matches_torch(parity, case, dtype):
    for shapes in shape_sets(case):
        for seed in (0, 1):
            parity(shapes, case.nn_fn, case.torch_fn, dtype=dtype, low=case.low, high=case.high, seed=seed)

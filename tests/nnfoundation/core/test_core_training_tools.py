"""LR finder (seed 004 §13.1.1) and early stopping on small real problems."""

import numpy as np
import pytest

import nnfoundation as nf
import nnfoundation.functional as F
import nnfoundation.nn as nn
import nnfoundation.optim as optim


def regression_problem():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 4))
    y = x @ np.array([1.0, -2.0, 0.5, 3.0]) + 0.1 * rng.standard_normal(256)
    batches = [(x[i : i + 32], y[i : i + 32, None]) for i in range(0, 256, 32)]
    return x, y, batches


def test_lr_finder_sweeps_exponentially_restores_weights_and_suggests_a_stable_rate():
    x, _, batches = regression_problem()
    model = nn.Linear(4, 1, rng=np.random.default_rng(1)).to_dtype(np.float64)
    before = model.state_dict()
    optimizer = optim.SGD(model.parameters(), lr=0.123)
    result = optim.find_learning_rate(
        model,
        optimizer,
        lambda b: F.mse_loss(model(nf.Tensor(b[0])), b[1]),
        batches,
        lr_min=1e-4,
        lr_max=10.0,
        num_steps=60,
    )
    ratios = result.lrs[1:] / result.lrs[:-1]
    np.testing.assert_allclose(ratios, (10.0 / 1e-4) ** (1 / 59))  # seed 004 eq. 13.1
    assert len(result.lrs) < 60  # GD on this quadratic diverges past lr = 2/λ_max
    divergence_lr = 2.0 / np.linalg.eigvalsh(2 * x.T @ x / len(x)).max()
    assert 1e-3 < result.suggestion < divergence_lr
    for name, array in model.state_dict().items():
        np.testing.assert_array_equal(array, before[name])
    assert optimizer.lr == 0.123 and optimizer.t == 0


def test_early_stopping_stops_after_patience_and_restores_best_state():
    model = nn.Linear(2, 1, rng=np.random.default_rng(0))
    stopper = optim.EarlyStopping(patience=2, min_delta=0.01)
    losses = [1.0, 0.8, 0.795, 0.9, 0.7, 0.71, 0.72]
    stopped_at = None
    for epoch, loss in enumerate(losses):
        model.weight.data[...] = epoch  # the "weights" after this epoch
        if stopper.step(loss, model):
            stopped_at = epoch
            break
    assert stopped_at == 3  # 0.795 and 0.9 are not better than 0.8 - 0.01
    assert stopper.best == 0.8
    stopper.restore_best(model)
    np.testing.assert_array_equal(model.weight.data, 1.0)


def test_early_stopping_max_mode_and_errors():
    stopper = optim.EarlyStopping(patience=1, mode="max")
    model = nn.Linear(1, 1)
    assert not stopper.step(0.5, model)
    assert stopper.step(0.5, model)
    with pytest.raises(ValueError, match="mode"):
        optim.EarlyStopping(patience=1, mode="best")
    with pytest.raises(RuntimeError, match="no check"):
        optim.EarlyStopping(patience=1).restore_best(model)

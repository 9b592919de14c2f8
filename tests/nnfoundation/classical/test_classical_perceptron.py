"""Perceptron learning algorithm: convergence, the mistake bound, and the update rule step by step."""

from __future__ import annotations

import numpy as np
import pytest

from nnfoundation.classical.perceptron import perceptron_predict, train_perceptron


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_converges_on_separable_data_within_the_mistake_bound(seed: int) -> None:
    rng = np.random.default_rng(seed)
    true_weights, true_bias = rng.normal(size=3), 0.3
    x = rng.uniform(-1, 1, size=(200, 3))
    margin = x @ true_weights + true_bias
    keep = np.abs(margin) > 0.2  # enforce a margin
    x, y = x[keep], np.where(margin[keep] > 0, 1, -1)
    result = train_perceptron(x, y)
    assert result.converged
    np.testing.assert_array_equal(perceptron_predict(x, result.weights, result.bias), y)
    augmented = np.hstack([x, np.ones((x.shape[0], 1))])
    separator = np.append(true_weights, true_bias)
    gamma = np.min(y * (augmented @ separator)) / np.linalg.norm(separator)  # seed 004 eq. 2.14
    radius = np.max(np.linalg.norm(augmented, axis=1))
    assert result.updates <= (radius / gamma) ** 2  # seed 004 eq. 2.15


def test_update_rule_by_hand() -> None:
    # seed 004 eq. 2.10-2.12 with eta = 0.5; first point: 0 <= 0 is a mistake
    x = np.array([[1.0, 2.0], [-1.0, -1.0]])
    y = np.array([1, -1])
    result = train_perceptron(x, y, learning_rate=0.5, max_epochs=1)
    # update 1: w = 0.5·[1, 2], b = 0.5; point 2: -1·(-0.5 - 1 + 0.5) = 1 > 0, no update
    np.testing.assert_allclose(result.weights, [0.5, 1.0])
    assert result.bias == 0.5 and result.updates == 1 and not result.converged


def test_xor_does_not_converge() -> None:
    x = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    result = train_perceptron(x, np.array([-1, -1, 1, 1]), max_epochs=50)
    assert not result.converged


def test_bad_labels_raise() -> None:
    with pytest.raises(ValueError, match="only -1 and \\+1"):
        train_perceptron(np.zeros((2, 2)), np.array([0, 1]))

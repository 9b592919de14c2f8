"""The autodiff engine itself: DAG adjoint sums, accumulation, no_grad, detach, dtypes, errors."""

import numpy as np
import pytest

import nnfoundation as nf


def test_seed_dag_example_adjoints():
    """L = y², y = (x1 + x2)·x1 at x1 = 2, x2 = 3 (seed 004 §10.2.2), adjoints recomputed by hand:
    dL/dx1 = 2y(2x1 + x2) = 20·7 = 140 (two paths summed), dL/dx2 = 2y·x1 = 40."""
    x1 = nf.Tensor(2.0, requires_grad=True, dtype=np.float64)
    x2 = nf.Tensor(3.0, requires_grad=True, dtype=np.float64)
    y = (x1 + x2) * x1
    loss = y * y
    loss.backward()
    assert y.item() == 10.0 and loss.item() == 100.0
    assert x1.grad == pytest.approx(140.0)
    assert x2.grad == pytest.approx(40.0)


def test_shared_node_gets_sum_of_adjoints_and_backward_visits_each_node_once():
    x = nf.Tensor(np.array([1.0, -2.0]), requires_grad=True)
    y = x * x
    z = (y + y * 3.0 + y.exp()).sum()
    z.backward()
    np.testing.assert_allclose(x.grad, (4.0 + np.exp(x.data**2)) * 2 * x.data)


def test_gradients_accumulate_until_cleared():
    x = nf.Tensor(np.ones(3), requires_grad=True)
    (x * 2.0).sum().backward()
    (x * 3.0).sum().backward()
    np.testing.assert_allclose(x.grad, 5.0)


def test_no_grad_records_nothing_and_detach_cuts_the_graph():
    x = nf.Tensor(np.ones(2), requires_grad=True)
    with nf.no_grad():
        y = x * 2.0
    assert not y.requires_grad and nf.is_grad_enabled()
    z = (x.detach() * x).sum()
    z.backward()
    np.testing.assert_allclose(x.grad, 1.0)  # d/dx (c·x) with c = x detached


def test_dtypes_are_preserved_and_integers_promoted_to_float32():
    assert nf.Tensor(np.arange(3)).dtype == np.float32
    a64 = nf.Tensor(np.ones(2), requires_grad=True)
    assert (a64 * 2.0 + 1).dtype == np.float64
    a32 = nf.Tensor(np.ones(2, dtype=np.float32), requires_grad=True)
    out = (a32 * 2.0).exp().sum()
    out.backward()
    assert out.dtype == np.float32 and a32.grad.dtype == np.float32
    with pytest.raises(TypeError, match="float32 or float64"):
        nf.Tensor(np.ones(2, dtype=np.complex64))


def test_long_chain_backward_has_no_recursion_limit():
    x = nf.Tensor(np.array(1.0), requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.backward()
    assert x.grad == pytest.approx(1.0001**5000)


def test_backward_errors_are_explicit():
    with pytest.raises(RuntimeError, match="does not require grad"):
        nf.Tensor(np.ones(2)).sum().backward()
    with pytest.raises(RuntimeError, match="one-element"):
        (nf.Tensor(np.ones(2), requires_grad=True) * 2.0).backward()


def test_numpy_and_reflected_operators():
    x = nf.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = np.array([3.0, 4.0]) - x  # ndarray on the left still builds a graph
    assert isinstance(y, nf.Tensor)
    (10.0 * y).sum().backward()
    np.testing.assert_allclose(x.grad, -10.0)
    np.testing.assert_array_equal(x.numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(x > 1.5, [False, True])


def test_einsum_rejects_unsupported_subscripts():
    a = nf.Tensor(np.ones((2, 2)))
    with pytest.raises(ValueError, match="explicit"):
        nf.einsum("ij,jk", a, a)
    with pytest.raises(ValueError, match="repeated"):
        nf.einsum("ii->i", a)

"""Fixtures for nnfoundation core tests: the one torch-parity helper; single-threaded BLAS.

Tests run two at a time (`-n 2`) on a shared 2-core machine; multi-threaded BLAS there thrashes
(a 2048×16 @ 16×144 product took 25 ms instead of 1 ms), so every test runs with one BLAS thread.
"""

import pytest
from core_parity import helper_test_op
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True)
def single_blas_thread():
    with threadpool_limits(limits=1):
        yield


@pytest.fixture
def parity():
    return helper_test_op

"""Fixtures for nnfoundation core tests: the one torch-parity helper."""
import pytest

from core_parity import helper_test_op


@pytest.fixture
def parity():
    return helper_test_op

"""Fixtures for the policy tests (synthetic demonstrations from policy_synthetic)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from policy_synthetic import write_synthetic


@pytest.fixture(autouse=True)
def one_torch_thread():
    """The policy tests use tiny tensors; on a shared 2-core machine extra intra-op threads only contend."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def demo_dir(tmp_path: Path) -> Path:
    return write_synthetic(tmp_path / "demos", count=4)

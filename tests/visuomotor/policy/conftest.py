"""Fixtures for the policy tests (synthetic demonstrations from policy_synthetic)."""
from __future__ import annotations

from pathlib import Path

import pytest

from policy_synthetic import write_synthetic


@pytest.fixture
def demo_dir(tmp_path: Path) -> Path:
    return write_synthetic(tmp_path / "demos", count=4)

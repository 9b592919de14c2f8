"""The ACT checkpoint shipped with the package (trained on scripted sim demonstrations; docs/policy.md)."""
from __future__ import annotations

from pathlib import Path

from visuomotor.policy.checkpoint import CONFIG_FILE

SHIPPED_POLICY = Path(__file__).resolve().parents[1] / "assets" / "policy" / "act_state"


def shipped_policy() -> Path:
    if not (SHIPPED_POLICY / CONFIG_FILE).is_file():
        raise FileNotFoundError(f"the shipped ACT checkpoint {SHIPPED_POLICY} is missing; train one with "
                                "`visuomotor train policy` or pass checkpoint:=<dir>")
    return SHIPPED_POLICY

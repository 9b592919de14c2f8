"""Diagnostics: why an input was refused or an output left out, without raising (nodes never crash)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in the input. code: a stable machine-readable name (e.g. "size_mismatch");
    message: one line naming what is wrong and how to fix it; detection_index: the detection concerned,
    None when the whole frame is refused."""

    code: str
    message: str
    detection_index: int | None = None

    def __str__(self) -> str:
        where = "" if self.detection_index is None else f" (detection {self.detection_index})"
        return f"{self.code}{where}: {self.message}"

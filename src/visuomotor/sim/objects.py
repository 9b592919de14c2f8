"""Object catalogue of the tabletop scene: shapes × colours, and the class list (index = class id).

Class names are "<colour>_<shape>", e.g. "red_cube" (the pick-and-place task object, seed 004 §29.3.1).
"""

from __future__ import annotations

from dataclasses import dataclass

SHAPES = ("cube", "cylinder", "sphere")
COLORS: dict[str, tuple[float, float, float]] = {  # nominal linear RGB in [0, 1]
    "red": (0.85, 0.10, 0.10),
    "green": (0.10, 0.70, 0.20),
    "blue": (0.10, 0.25, 0.85),
    "yellow": (0.90, 0.80, 0.10),
}
CLASS_NAMES: tuple[str, ...] = tuple(f"{color}_{shape}" for shape in SHAPES for color in COLORS)
TASK_OBJECT_CLASS = "red_cube"

# Half extents (m) along the object's x, y, z: cube edge 4 cm, cylinder Ø 4 cm × 5 cm, sphere Ø 4.4 cm.
HALF_EXTENTS_M: dict[str, tuple[float, float, float]] = {
    "cube": (0.02, 0.02, 0.02),
    "cylinder": (0.02, 0.02, 0.025),
    "sphere": (0.022, 0.022, 0.022),
}
MASS_KG: dict[str, float] = {"cube": 0.06, "cylinder": 0.06, "sphere": 0.05}


@dataclass(frozen=True)
class ObjectClass:
    """One class: its id (index in CLASS_NAMES), name, shape and colour name."""

    class_id: int
    name: str
    shape: str
    color: str


def object_class(name: str) -> ObjectClass:
    """Look a class up by name, e.g. object_class("red_cube"); unknown names raise a ValueError."""
    if name not in CLASS_NAMES:
        raise ValueError(f"unknown object class {name!r}: use one of {', '.join(CLASS_NAMES)}")
    color, shape = name.split("_", 1)
    return ObjectClass(CLASS_NAMES.index(name), name, shape, color)

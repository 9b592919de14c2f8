"""Where the package's shared files (launch/, config/, msg/) are: the source checkout when running from
one, else the installed ROS share directory `<prefix>/share/visuomotor_ros`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

PACKAGE = "visuomotor_ros"


def share_dir() -> Path:
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "package.xml").is_file() and (checkout / "launch").is_dir():
        return checkout
    prefixes = [p for p in os.environ.get("AMENT_PREFIX_PATH", "").split(os.pathsep) if p] + [sys.prefix]
    for prefix in prefixes:
        candidate = Path(prefix) / "share" / PACKAGE
        if (candidate / "package.xml").is_file():
            return candidate
    raise FileNotFoundError(
        f"cannot find the {PACKAGE} share directory: source the workspace (install/setup.bash) or run `make setup`"
    )

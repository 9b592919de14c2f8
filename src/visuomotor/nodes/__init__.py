"""ROS 2 nodes, the only code importing rclpy: thin Node subclasses over the ROS-agnostic core.

Importing this package selects visuomotor's Fast DDS participant profile for every participant the process
(and the node processes it starts) creates: assets/dds/fastdds_large_images.xml, Fast DDS's built-in UDPv4 +
shared-memory transports with a 4 MiB shared-memory segment, so a 640×480 image reaches a subscriber in
~3 ms instead of ~14 ms over fragmented UDP loopback (docs/performance.md). A FASTDDS_DEFAULT_PROFILES_FILE
already set, or another RMW than Fast DDS, is left alone.
"""

import os
from pathlib import Path

FASTDDS_PROFILE = Path(__file__).resolve().parent.parent / "assets" / "dds" / "fastdds_large_images.xml"

if os.environ.get("RMW_IMPLEMENTATION", "rmw_fastrtps_cpp") == "rmw_fastrtps_cpp":
    os.environ.setdefault("FASTDDS_DEFAULT_PROFILES_FILE", str(FASTDDS_PROFILE))

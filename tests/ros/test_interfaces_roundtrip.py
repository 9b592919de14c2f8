"""Every visuomotor_ros interface message crosses DDS to a separate OS process and back, field for field."""

from __future__ import annotations

from pathlib import Path

import pytest
from message_fill import fill, message_class
from rclpy.qos import QoSProfile, ReliabilityPolicy
from ros_testing import spin_until

MSG_DIR = Path(__file__).resolve().parents[2] / "msg"
TYPES = sorted(f"visuomotor_ros/msg/{path.stem}" for path in MSG_DIR.glob("*.msg"))


def test_every_interface_is_covered():
    assert len(TYPES) == 10, TYPES


def test_every_field_roundtrips_between_processes(spawn, ros_node):
    echo = spawn([str(Path(__file__).with_name("echo_process.py")), *TYPES])
    node, executor = ros_node("roundtrip_test")
    qos = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)
    received: dict[str, list] = {t: [] for t in TYPES}
    publishers = {}
    for type_name in TYPES:
        cls, topic = message_class(type_name), type_name.split("/")[-1]
        publishers[type_name] = node.create_publisher(cls, f"/roundtrip/in/{topic}", qos)
        node.create_subscription(cls, f"/roundtrip/out/{topic}", received[type_name].append, qos)

    def matched() -> bool:
        return all(p.get_subscription_count() > 0 for p in publishers.values()) and all(
            node.count_publishers(f"/roundtrip/out/{t.split('/')[-1]}") > 0 for t in TYPES
        )

    assert spin_until(executor, matched, timeout_s=30), f"echo process not discovered:\n{echo.output()}"
    sent = {t: fill(message_class(t)()) for t in TYPES}
    for type_name, message in sent.items():
        publishers[type_name].publish(message)
    assert spin_until(executor, lambda: all(received.values()), timeout_s=20), (
        f"missing: {[t for t, r in received.items() if not r]}\n{echo.output()}"
    )
    for type_name in TYPES:
        assert received[type_name][0] == sent[type_name], type_name
    assert echo.alive()


@pytest.mark.parametrize("type_name", TYPES)
def test_fill_sets_distinct_values(type_name):
    """The filler itself must not leave defaults behind, or the round trip would prove nothing."""
    cls = message_class(type_name)
    assert fill(cls()) != cls()

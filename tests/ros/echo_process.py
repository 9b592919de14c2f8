"""A separate OS process that echoes messages: subscribes /roundtrip/in/<Type>, republishes on
/roundtrip/out/<Type>. usage: python tests/ros/echo_process.py pkg/msg/Type [pkg/msg/Type ...]"""

from __future__ import annotations

import sys

import rclpy
from message_fill import message_class
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy


def main(type_names: list[str]) -> None:
    rclpy.init()
    node = rclpy.create_node("roundtrip_echo")
    qos = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.VOLATILE)
    keep = []
    for type_name in type_names:
        cls = message_class(type_name)
        topic = type_name.split("/")[-1]
        publisher = node.create_publisher(cls, f"/roundtrip/out/{topic}", qos)
        keep.append(node.create_subscription(cls, f"/roundtrip/in/{topic}", publisher.publish, qos))
    try:
        rclpy.spin(node)
    except KeyboardInterrupt:
        pass
    finally:
        node.destroy_node()
        rclpy.try_shutdown()


if __name__ == "__main__":
    main(sys.argv[1:])

"""rosbag2 recordings (MCAP or sqlite3) written and read with `rosbags`, ROS-free.

Writing stores raw CDR bytes (what rclpy subscriptions with raw=True deliver) with every message
definition embedded (schema text + RIHS01 hash), so `ros2 bag` and Foxglove open the bags; our
`visuomotor_ros/msg/*` types are registered from the package's .msg files.

Crash safety: BagWriter.close() (the recorder calls it on SIGINT/SIGTERM) writes the MCAP summary and
metadata.yaml. After SIGKILL an MCAP bag has no metadata.yaml and no summary, and loses at most the
chunk being filled (≤ 1 MiB) plus unflushed file buffers; read_bag() then raises TruncatedBagError
naming the file and how many messages are readable, and read_bag(..., allow_truncated=True) yields
that readable prefix. A killed sqlite3 recording keeps nothing: rosbags commits the database at close.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from rosbags.interfaces import Qos, QosDurability, QosHistory, QosLiveliness, QosReliability, QosTime
from rosbags.rosbag2 import Reader, ReaderError, StoragePlugin, Writer, WriterError
from rosbags.typesys import Stores, get_types_from_msg, get_typestore
from rosbags.typesys.store import Typestore

INTERFACE_PACKAGE = "visuomotor_ros"
STORAGES = {"mcap": StoragePlugin.MCAP, "sqlite3": StoragePlugin.SQLITE3}
_REPO_MSG_DIR = Path(__file__).resolve().parents[3] / "msg"


class BagError(RuntimeError):
    """A bag that cannot be written or read; the message names the file and the problem."""


class TruncatedBagError(BagError):
    """An MCAP bag that was never closed (recorder killed): `readable` messages precede the cut."""

    def __init__(self, path: Path, readable: int, cause: str):
        super().__init__(
            f"bag {path} is truncated (not closed: recorder killed?): {readable} messages readable before "
            f"the cut ({cause}); read them with read_bag(path, allow_truncated=True)"
        )
        self.path, self.readable = path, readable


def interface_msg_dir() -> Path:
    """Where visuomotor_ros/msg/*.msg live: the installed share dir, else the source checkout."""
    installed = Path(sys.prefix) / "share" / INTERFACE_PACKAGE / "msg"
    for candidate in (installed, _REPO_MSG_DIR):
        if any(candidate.glob("*.msg")):
            return candidate
    raise BagError(
        f"no {INTERFACE_PACKAGE} .msg files in {installed} or {_REPO_MSG_DIR}: "
        "build the interfaces (tools/build_interfaces.sh) or run from the repository"
    )


@lru_cache(maxsize=1)
def typestore() -> Typestore:
    """ROS 2 Kilted types plus visuomotor_ros/msg/* (seed-independent; the same schema rosidl uses)."""
    store = get_typestore(Stores.ROS2_KILTED)
    types: dict[str, Any] = {}
    for path in sorted(interface_msg_dir().glob("*.msg")):
        types.update(get_types_from_msg(path.read_text(), f"{INTERFACE_PACKAGE}/msg/{path.stem}"))
    store.register(types)
    return store


def normalize_msgtype(msgtype: str) -> str:
    """'sensor_msgs/Image' or 'sensor_msgs/msg/Image' -> 'sensor_msgs/msg/Image'."""
    parts = msgtype.split("/")
    if len(parts) == 2:
        return f"{parts[0]}/msg/{parts[1]}"
    if len(parts) == 3:
        return msgtype
    raise BagError(f"message type {msgtype!r}: expected package/msg/Name")


class BagWriter:
    """Write a rosbag2 directory: topics are registered once, messages added as CDR bytes.

    storage: "mcap" (default, crash-tolerant prefix) or "sqlite3". Use as a context manager or call
    close(); an existing path is refused (never overwritten).
    """

    def __init__(self, path: str | Path, storage: str = "mcap"):
        if storage not in STORAGES:
            raise BagError(f"bag storage {storage!r}: use one of {', '.join(STORAGES)}")
        self.path = Path(path)
        try:
            self._writer = Writer(self.path, version=Writer.VERSION_LATEST, storage_plugin=STORAGES[storage])
            self._writer.open()
        except (WriterError, OSError) as error:
            raise BagError(f"cannot create bag {self.path}: {error}") from None
        self._connections: dict[str, Any] = {}
        self.counts: dict[str, int] = {}

    def add_topic(self, topic: str, msgtype: str, transient_local: bool = False, best_effort: bool = False) -> None:
        """Register a topic; the offered QoS is stored so `ros2 bag play` republishes it alike (latched
        /camera/extrinsics stays transient_local)."""
        msgtype = normalize_msgtype(msgtype)
        store = typestore()
        if msgtype not in store.fielddefs:
            raise BagError(
                f"message type {msgtype} of {topic} is unknown to the bag typestore: "
                f"only ROS 2 Kilted standard types and {INTERFACE_PACKAGE}/msg/* can be recorded"
            )
        unset = QosTime(sec=0, nsec=0)  # rosbag2's "default" deadline, lifespan and lease
        qos = Qos(
            history=QosHistory.KEEP_LAST,
            depth=1 if transient_local else 10,
            reliability=QosReliability.BEST_EFFORT if best_effort else QosReliability.RELIABLE,
            durability=QosDurability.TRANSIENT_LOCAL if transient_local else QosDurability.VOLATILE,
            deadline=unset,
            lifespan=unset,
            liveliness=QosLiveliness.AUTOMATIC,
            liveliness_lease_duration=unset,
            avoid_ros_namespace_conventions=False,
        )
        self._connections[topic] = self._writer.add_connection(
            topic, msgtype, typestore=store, offered_qos_profiles=[qos]
        )
        self.counts[topic] = 0

    def has_topic(self, topic: str) -> bool:
        return topic in self._connections

    def write_cdr(self, topic: str, data: bytes | memoryview, stamp_ns: int) -> None:
        """Append one serialized (CDR) message of a registered topic; stamp_ns = receive/log time."""
        self._writer.write(self._connections[topic], int(stamp_ns), data)
        self.counts[topic] += 1

    def write(self, topic: str, message: Any, stamp_ns: int) -> None:
        """Append one `rosbags` message object (typestore() classes) of a registered topic."""
        msgtype = self._connections[topic].msgtype
        self.write_cdr(topic, typestore().serialize_cdr(message, msgtype), stamp_ns)

    def close(self) -> None:
        """Write the index/summary and metadata.yaml; idempotent."""
        if self._writer.storage is not None:
            self._writer.close()

    def __enter__(self) -> BagWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(frozen=True)
class BagMessage:
    """One recorded message: topic, type ('pkg/msg/Name'), log time (ns), CDR bytes, decoded message."""

    topic: str
    msgtype: str
    log_time_ns: int
    data: bytes
    message: Any


def read_bag(path: str | Path, topics: list[str] | None = None, allow_truncated: bool = False) -> Iterator[BagMessage]:
    """Messages of a rosbag2 directory (MCAP or sqlite3) or a single .mcap file, in log-time order.

    Missing path, not a bag, corrupt storage → BagError naming the file and problem; an MCAP that was
    never closed → TruncatedBagError unless allow_truncated (then: the readable prefix, in file order).
    """
    path = Path(path)
    if not path.exists():
        raise BagError(f"bag {path} does not exist: pass the rosbag2 directory (or .mcap file) to read")
    mcap_files = [path] if path.suffix == ".mcap" else sorted(path.glob("*.mcap"))
    if path.is_dir() and (path / "metadata.yaml").is_file():
        yield from _read_rosbag2(path, topics)
    elif mcap_files:
        yield from _read_mcap_stream(mcap_files[0], topics, allow_truncated)
    elif path.is_dir() and any(path.glob("*.db3")):
        raise BagError(
            f"bag {path} has no metadata.yaml: this sqlite3 recording was not closed "
            "(recorder killed) and keeps no messages; record with --storage mcap"
        )
    else:
        raise BagError(
            f"{path} is not a rosbag2 bag: expected a directory with metadata.yaml and "
            "*.mcap or *.db3 files, or an .mcap file"
        )


def _decode(data: bytes, msgtype: str, msgdef: str | None) -> Any:
    store = typestore()
    if msgtype not in store.fielddefs and msgdef:
        store.register(get_types_from_msg(msgdef, msgtype))
    return store.deserialize_cdr(data, msgtype)


def _read_rosbag2(path: Path, topics: list[str] | None) -> Iterator[BagMessage]:
    try:
        with Reader(path) as reader:
            connections = [c for c in reader.connections if topics is None or c.topic in topics]
            for connection, timestamp, data in reader.messages(connections=connections):
                yield BagMessage(
                    connection.topic,
                    connection.msgtype,
                    timestamp,
                    bytes(data),
                    _decode(data, connection.msgtype, connection.msgdef.data),
                )
    except ReaderError as error:
        raise BagError(f"bag {path} is corrupt or unreadable: {error}") from None
    except Exception as error:
        if isinstance(error, BagError):
            raise
        raise BagError(f"bag {path} is corrupt: {type(error).__name__}: {error}") from None


def _read_mcap_stream(path: Path, topics: list[str] | None, allow_truncated: bool) -> Iterator[BagMessage]:
    """Stream an MCAP file record by record (no summary needed), to read unclosed recordings."""
    from mcap.reader import NonSeekingReader

    messages: list[BagMessage] = []
    with open(path, "rb") as stream:
        try:
            for schema, channel, message in NonSeekingReader(stream, validate_crcs=True).iter_messages(
                log_time_order=False
            ):
                if topics is None or channel.topic in topics:
                    if schema is None:
                        raise ValueError(f"channel {channel.topic} has no schema (not a ROS 2 MCAP)")
                    msgtype = schema.name
                    messages.append(
                        BagMessage(
                            channel.topic,
                            msgtype,
                            message.log_time,
                            bytes(message.data),
                            _decode(message.data, msgtype, schema.data.decode()),
                        )
                    )
        except Exception as error:
            cause = type(error).__name__ + (f": {error}" if str(error) else " (file ends mid-record)")
            if not allow_truncated:
                raise TruncatedBagError(path, len(messages), cause) from None
    yield from messages

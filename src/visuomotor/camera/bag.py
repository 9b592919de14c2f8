"""rosbag2 recordings (MCAP or sqlite3) written and read with `rosbags`, ROS-free.

Writing stores raw CDR bytes (what rclpy subscriptions with raw=True deliver) with every message
definition embedded (schema text + RIHS01 hash), so `ros2 bag` and Foxglove open the bags; our
`visuomotor_ros/msg/*` types are registered from the package's .msg files.

Crash safety: BagWriter writes the bag as a sequence of complete storage files ("splits", <bag>_<i>.mcap
or .db3, as `ros2 bag record --max-bag-duration` does) and keeps metadata.yaml listing exactly the closed ones
(bag_metadata.py), from the moment the bag is created. The split being filled lives in <bag>/.recording/ and
is closed, moved beside the others and added to metadata.yaml every `split_s` seconds (default 1 s). After
SIGKILL, rosbags' Reader/AnyReader, `ros2 bag` and read_bag() open the bag and get every message up to the last
closed split; what is lost is bounded by split_s (plus the recorder's 0.2 s flush tick). The same holds for
sqlite3: each split is a closed, committed database. (WAL mode would not do: rosbags opens .db3 files with
`immutable=1`, which ignores a WAL and a hot journal, so committed-but-uncheckpointed rows would be invisible.)
A bag without metadata.yaml (written by an older recorder, killed): read_bag raises TruncatedBagError naming
the file and how many messages are readable; read_bag(..., allow_truncated=True) yields that readable prefix.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from rosbags.interfaces import Qos, QosDurability, QosHistory, QosLiveliness, QosReliability, QosTime
from rosbags.rosbag2 import Reader, ReaderError, StoragePlugin, Writer, WriterError
from rosbags.typesys import Stores, get_types_from_msg, get_typestore
from rosbags.typesys.store import Typestore

from visuomotor.camera.bag_metadata import METADATA_FILE, SplitBagMetadata, load_metadata

INTERFACE_PACKAGE = "visuomotor_ros"
STORAGES = {"mcap": StoragePlugin.MCAP, "sqlite3": StoragePlugin.SQLITE3}
DEFAULT_SPLIT_S = 1.0  # seconds of recording per storage file: what a crash can lose at most
ACTIVE_SPLIT = ".recording"  # <bag>/.recording/: the split being written (not listed in metadata.yaml)
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

    storage: "mcap" (default) or "sqlite3". split_s: close the storage file and start the next one split_s
    seconds of wall time after its first message (None: one file, closed by close()); see the module
    docstring for what that buys after a crash. Use as a context manager or call close(); an existing path
    is refused (never overwritten).
    """

    def __init__(self, path: str | Path, storage: str = "mcap", split_s: float | None = DEFAULT_SPLIT_S):
        if storage not in STORAGES:
            raise BagError(f"bag storage {storage!r}: use one of {', '.join(STORAGES)}")
        if split_s is not None and not split_s > 0:
            raise BagError(f"bag split period {split_s} s must be > 0 (or None for one file)")
        self.path = Path(path)
        self.storage, self.split_s = storage, split_s
        if self.path.exists():
            raise BagError(f"cannot create bag {self.path}: it exists already (bags are never overwritten)")
        try:
            self.path.mkdir(parents=True)
            self._metadata = SplitBagMetadata(self.path, storage)
            self._metadata.write()
        except OSError as error:
            raise BagError(f"cannot create bag {self.path}: {error}") from None
        self._topics: dict[str, tuple[str, Qos]] = {}  # topic -> (msgtype, offered QoS), for every split
        self.counts: dict[str, int] = {}
        self._closed = False
        self._split = self._open_split()

    def add_topic(self, topic: str, msgtype: str, transient_local: bool = False, best_effort: bool = False) -> None:
        """Register a topic; the offered QoS is stored so `ros2 bag play` republishes it alike (latched
        /camera/extrinsics stays transient_local)."""
        msgtype = normalize_msgtype(msgtype)
        if msgtype not in typestore().fielddefs:
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
        self._topics[topic] = (msgtype, qos)
        self._add_connection(topic, self._split)
        self.counts[topic] = 0

    def has_topic(self, topic: str) -> bool:
        return topic in self._topics

    def write_cdr(self, topic: str, data: bytes | memoryview, stamp_ns: int) -> None:
        """Append one serialized (CDR) message of a registered topic; stamp_ns = receive/log time."""
        self._split.write(self._connections[topic], int(stamp_ns), data)
        self.counts[topic] += 1
        if not self._split_messages:
            self._split_started = time.monotonic()
        self._split_messages += 1
        self.split_if_due()

    def write(self, topic: str, message: Any, stamp_ns: int) -> None:
        """Append one `rosbags` message object (typestore() classes) of a registered topic."""
        self.write_cdr(topic, typestore().serialize_cdr(message, self._topics[topic][0]), stamp_ns)

    def split_if_due(self) -> None:
        """Close the storage file being filled, and start the next, once split_s has passed since its first
        message (write_cdr calls this; a recorder also calls it from a timer so a quiet topic is flushed too)."""
        due = self.split_s is not None and time.monotonic() - self._split_started >= self.split_s
        if due and self._split_messages:
            self._close_split()
            self._split = self._open_split()

    def close(self) -> None:
        """Close the last storage file and write metadata.yaml; idempotent."""
        if not self._closed:
            self._close_split()
            self._closed = True

    def _open_split(self) -> Writer:
        try:
            split = Writer(
                self.path / ACTIVE_SPLIT, version=Writer.VERSION_LATEST, storage_plugin=STORAGES[self.storage]
            )
            split.open()
        except (WriterError, OSError) as error:
            raise BagError(f"cannot write bag {self.path}: {error}") from None
        self._connections: dict[str, Any] = {}
        for topic in self._topics:
            self._add_connection(topic, split)
        self._split_messages, self._split_started = 0, 0.0
        return split

    def _add_connection(self, topic: str, split: Writer) -> None:
        msgtype, qos = self._topics[topic]
        self._connections[topic] = split.add_connection(
            topic, msgtype, typestore=typestore(), offered_qos_profiles=[qos]
        )

    def _close_split(self) -> None:
        """Close the split, move its storage file beside the others, list it in metadata.yaml (an empty split
        after earlier ones is dropped)."""
        self._split.close()
        active = self.path / ACTIVE_SPLIT
        (storage_file,) = [p for p in active.iterdir() if p.name != METADATA_FILE]
        if self._split_messages or not self._metadata.files:
            name = f"{self.path.name}_{len(self._metadata.files)}{storage_file.suffix}"
            self._metadata.add_split(load_metadata(active / METADATA_FILE), name)
            storage_file.replace(self.path / name)
            self._metadata.write()
        else:
            storage_file.unlink()
        (active / METADATA_FILE).unlink()
        active.rmdir()

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

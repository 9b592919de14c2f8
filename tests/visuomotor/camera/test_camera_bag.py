"""rosbag2 writing/reading with rosbags: both storages, embedded definitions of our own types, and a
recorder killed with SIGKILL (truncated MCAP → clear error + readable prefix)."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time

import numpy as np
import pytest
from mcap.reader import make_reader
from rosbags.rosbag2 import Reader

from visuomotor.camera.bag import BagError, BagWriter, TruncatedBagError, interface_msg_dir, read_bag, typestore
from visuomotor.camera.bag_metadata import load_metadata

STORE = typestore()
T = STORE.types


def header(i: int, frame_id: str):
    return T["std_msgs/msg/Header"](stamp=T["builtin_interfaces/msg/Time"](sec=i, nanosec=7), frame_id=frame_id)


def ground_truth(i: int):
    """A visuomotor_ros/Object3DArray with one object, every nested field set."""
    point = T["geometry_msgs/msg/Point"](x=0.1 * i, y=-0.2, z=0.05)
    pose = T["geometry_msgs/msg/Pose"](
        position=point, orientation=T["geometry_msgs/msg/Quaternion"](x=0, y=0, z=0, w=1)
    )
    hypothesis = T["visuomotor_ros/msg/ObjectHypothesis"](class_id="red_cube", score=1.0)
    box = T["visuomotor_ros/msg/BoundingBox2D"](center_x=320.0, center_y=240.0, size_x=40.0, size_y=30.0)
    detection = T["visuomotor_ros/msg/Detection2D"](
        header=header(i, "camera_color_optical_frame"), id="0", results=[hypothesis], bbox=box, mask_label=3
    )
    obj = T["visuomotor_ros/msg/Object3D"](
        header=header(i, "base_link"),
        id="0",
        results=[hypothesis],
        pose=T["geometry_msgs/msg/PoseWithCovariance"](pose=pose, covariance=np.arange(36, dtype=np.float64)),
        size=T["geometry_msgs/msg/Vector3"](x=0.04, y=0.04, z=0.04),
        source=detection,
    )
    return T["visuomotor_ros/msg/Object3DArray"](header=header(i, "base_link"), objects=[obj])


def image(i: int):
    return T["sensor_msgs/msg/Image"](
        header=header(i, "camera_color_optical_frame"),
        height=4,
        width=5,
        encoding="rgb8",
        is_bigendian=0,
        step=15,
        data=np.full(60, i, dtype=np.uint8),
    )


def write_sample(path, storage: str, n: int = 5) -> None:
    with BagWriter(path, storage) as writer:
        writer.add_topic("/sim/ground_truth", "visuomotor_ros/msg/Object3DArray")
        writer.add_topic("/camera/color/image_raw", "sensor_msgs/Image")
        for i in range(n):
            writer.write("/sim/ground_truth", ground_truth(i), 1_000 + i)
            writer.write("/camera/color/image_raw", image(i), 1_000 + i)


@pytest.mark.parametrize("storage", ["mcap", "sqlite3"])
def test_written_messages_read_back_equal(tmp_path, storage):
    write_sample(tmp_path / "bag", storage)
    records = list(read_bag(tmp_path / "bag"))
    assert [(r.topic, r.log_time_ns) for r in records] == [
        (topic, 1_000 + i) for i in range(5) for topic in ("/sim/ground_truth", "/camera/color/image_raw")
    ]
    for i in range(5):
        gt, img = records[2 * i].message, records[2 * i + 1].message
        assert records[2 * i].data == bytes(STORE.serialize_cdr(ground_truth(i), "visuomotor_ros/msg/Object3DArray"))
        assert gt.objects[0].source.mask_label == 3 and gt.objects[0].pose.pose.position.x == 0.1 * i
        np.testing.assert_array_equal(gt.objects[0].pose.covariance, np.arange(36))
        np.testing.assert_array_equal(img.data, np.full(60, i))
    assert [r.topic for r in read_bag(tmp_path / "bag", topics=["/sim/ground_truth"])] == ["/sim/ground_truth"] * 5


@pytest.mark.parametrize("storage", ["mcap", "sqlite3"])
def test_split_files_are_listed_in_metadata_as_they_close(tmp_path, storage):
    """Every split is a complete file listed in metadata.yaml; a topic added later is in the later files only."""
    writer = BagWriter(tmp_path / "bag", storage, split_s=1e-9)  # every message closes its file
    writer.add_topic("/sim/ground_truth", "visuomotor_ros/msg/Object3DArray")
    for i in range(3):
        writer.write("/sim/ground_truth", ground_truth(i), 1_000 + i)
        with Reader(tmp_path / "bag") as reader:  # readable mid-recording, up to the last closed file
            assert reader.message_count == i + 1 == len(list(reader.messages()))
        assert len(load_metadata(tmp_path / "bag" / "metadata.yaml")["relative_file_paths"]) == i + 1
    writer.add_topic("/camera/color/image_raw", "sensor_msgs/Image")
    writer.write("/camera/color/image_raw", image(3), 2_000)
    writer.close()
    suffix = ".mcap" if storage == "mcap" else ".db3"
    assert sorted(p.name for p in (tmp_path / "bag").iterdir()) == [
        *(f"bag_{i}{suffix}" for i in range(4)),
        "metadata.yaml",
    ]
    with Reader(tmp_path / "bag") as reader:
        assert {topic: info.msgcount for topic, info in reader.topics.items()} == {
            "/sim/ground_truth": 3,
            "/camera/color/image_raw": 1,
        }
        assert (reader.start_time, reader.end_time) == (1_000, 2_001)
    assert [r.log_time_ns for r in read_bag(tmp_path / "bag")] == [1_000, 1_001, 1_002, 2_000]


def test_mcap_embeds_message_definitions_for_ros2_bag_and_foxglove(tmp_path):
    write_sample(tmp_path / "bag", "mcap")
    with open(tmp_path / "bag" / "bag_0.mcap", "rb") as stream:
        summary = make_reader(stream).get_summary()
    schemas = {schema.name: schema for schema in summary.schemas.values()}
    gt = schemas["visuomotor_ros/msg/Object3DArray"]
    assert gt.encoding == "ros2msg"
    text = gt.data.decode()
    for dependency in (
        "MSG: visuomotor_ros/Object3D",
        "MSG: visuomotor_ros/Detection2D",
        "MSG: geometry_msgs/PoseWithCovariance",
        "uint16 mask_label",
    ):
        assert dependency in text
    assert {channel.topic: channel.message_encoding for channel in summary.channels.values()} == {
        "/sim/ground_truth": "cdr",
        "/camera/color/image_raw": "cdr",
    }
    assert "storage_identifier: mcap" in (tmp_path / "bag" / "metadata.yaml").read_text()


def test_type_hashes_equal_the_ones_rosidl_generated():
    """ros2 bag matches topics by RIHS01 type hash: ours must be rosidl's, for every interface."""
    generated = sorted(interface_msg_dir().glob("*.json"))
    if not generated:
        pytest.skip("interfaces not built into this prefix (no rosidl .json next to the .msg files)")
    for path in generated:
        description = json.loads(path.read_text())
        name = description["type_description_msg"]["type_description"]["type_name"]
        (expected,) = [h["hash_string"] for h in description["type_hashes"] if h["type_name"] == name]
        assert STORE.hash_rihs01(name) == expected, name


def test_sqlite3_embeds_message_definitions(tmp_path):
    write_sample(tmp_path / "bag", "sqlite3")
    with sqlite3.connect(tmp_path / "bag" / "bag_0.db3") as db:
        definitions = dict(db.execute("SELECT topic_type, encoded_message_definition FROM message_definitions"))
    assert "MSG: visuomotor_ros/ObjectHypothesis" in definitions["visuomotor_ros/msg/Object3DArray"]


WRITER_SCRIPT = """
import sys, time
import numpy as np
from visuomotor.camera.bag import BagWriter, typestore
T = typestore().types
writer = BagWriter(sys.argv[1], sys.argv[2], split_s=float(sys.argv[3]) if sys.argv[3] != "none" else None)
writer.add_topic("/camera/color/image_raw", "sensor_msgs/msg/Image")
i = 0
while True:
    header = T["std_msgs/msg/Header"](stamp=T["builtin_interfaces/msg/Time"](sec=i, nanosec=0), frame_id="c")
    writer.write("/camera/color/image_raw", T["sensor_msgs/msg/Image"](header=header, height=480, width=640,
                 encoding="rgb8", is_bigendian=0, step=1920, data=np.full(480 * 1920, i % 256, np.uint8)), i)
    i += 1
    if i == 12:
        print("twelve", flush=True)
    time.sleep(0.01)
"""


def kill_writer_midway(path, storage: str, split_s: str) -> None:
    """A real recorder process, SIGKILLed while writing (no chance to close the bag)."""
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER_SCRIPT, str(path), storage, split_s], stdout=subprocess.PIPE
    )
    try:
        assert process.stdout.readline() == b"twelve\n"
        time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)


@pytest.mark.parametrize("storage", ["mcap", "sqlite3"])
def test_sigkilled_writer_leaves_a_bag_every_reader_opens(tmp_path, storage):
    """metadata.yaml lists the closed splits at every instant: rosbags' Reader and read_bag open the killed
    bag and get a gap-free prefix of what was written."""
    kill_writer_midway(tmp_path / "killed", storage, split_s="0.03")
    records = list(read_bag(tmp_path / "killed"))
    assert len(records) >= 5
    for i, record in enumerate(records):
        assert record.message.header.stamp.sec == i == record.log_time_ns
        assert np.all(record.message.data == i % 256)
    with Reader(tmp_path / "killed") as reader:
        assert reader.message_count == len(records) == sum(1 for _ in reader.messages())


def test_killed_bag_without_metadata_gives_a_clear_error_and_its_readable_prefix(tmp_path):
    """An MCAP that was never closed, alone (as an older recorder left it): TruncatedBagError, and
    allow_truncated=True streams the complete records before the cut."""
    kill_writer_midway(tmp_path / "killed", "mcap", split_s="none")
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    (tmp_path / "killed" / ".recording" / ".recording.mcap").replace(legacy / "legacy.mcap")
    with pytest.raises(
        TruncatedBagError,
        match=r"bag .*legacy.mcap is truncated \(not closed: recorder killed\?\): \d+ messages readable",
    ) as error:
        list(read_bag(legacy))
    prefix = list(read_bag(legacy, allow_truncated=True))
    assert len(prefix) == error.value.readable >= 10  # ~1 MiB chunks: at most the open chunk is lost
    for i, record in enumerate(prefix):  # an exact, gap-free prefix
        assert record.message.header.stamp.sec == i == record.log_time_ns
        assert np.all(record.message.data == i % 256)


def test_bad_bags_are_one_line_errors_naming_the_file(tmp_path):
    with pytest.raises(BagError, match=r"bag .*missing does not exist"):
        list(read_bag(tmp_path / "missing"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(BagError, match=r".*empty is not a rosbag2 bag"):
        list(read_bag(tmp_path / "empty"))
    write_sample(tmp_path / "corrupt", "mcap")
    (tmp_path / "corrupt" / "corrupt_0.mcap").write_bytes(b"\x00garbage" * 100)
    with pytest.raises(BagError, match=r"bag .*corrupt is corrupt or unreadable") as error:
        list(read_bag(tmp_path / "corrupt"))
    assert "\n" not in str(error.value)


def test_writer_refuses_existing_paths_unknown_storages_and_types(tmp_path):
    write_sample(tmp_path / "bag", "mcap")
    with pytest.raises(BagError, match=r"cannot create bag .*bag: .*exists already"):
        BagWriter(tmp_path / "bag")
    with pytest.raises(BagError, match="bag storage 'rosbag1': use one of mcap, sqlite3"):
        BagWriter(tmp_path / "other", "rosbag1")
    with BagWriter(tmp_path / "third") as writer:
        with pytest.raises(BagError, match="message type my_pkg/msg/Thing of /thing is unknown"):
            writer.add_topic("/thing", "my_pkg/msg/Thing")

"""metadata.yaml of a rosbag2 directory written one storage file ("split") at a time (camera.bag.BagWriter).

rosbag2 bags may hold several storage files (`relative_file_paths`, `files`), as `ros2 bag record
--max-bag-duration` writes them. SplitBagMetadata keeps the metadata of the closed splits only: each closed
split's own metadata (rosbags writes it) is merged in — message counts per topic and file, start and
duration — and the whole metadata.yaml is rewritten atomically (temporary file, then rename), so at every
instant the file on disk lists exactly the complete, readable storage files.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from ruamel.yaml import YAML

METADATA_FILE = "metadata.yaml"
ROSBAG2_VERSION = 9
NO_MESSAGES_START = 2**63 - 1  # rosbags' starting time of a bag without messages


def load_metadata(path: Path) -> dict:
    """The `rosbag2_bagfile_information` mapping of a metadata.yaml."""
    return YAML(typ="safe").load(Path(path).read_text())["rosbag2_bagfile_information"]


class SplitBagMetadata:
    """The metadata of a bag directory `path` whose storage files are closed one after another."""

    def __init__(self, path: Path, storage_identifier: str):
        self.path = Path(path)
        self.storage_identifier = storage_identifier
        self.files: list[dict] = []  # per file: path, starting_time, duration, message_count
        self.topics: dict[tuple[str, str], dict] = {}  # (name, type) -> topics_with_message_count entry

    def add_split(self, split: dict, file_name: str) -> None:
        """Merge one closed split: `split` = its own metadata (load_metadata), `file_name` = where its storage
        file now lies, relative to the bag directory."""
        (entry,) = split["files"]
        self.files.append({**entry, "path": file_name})
        for topic in split["topics_with_message_count"]:
            key = (topic["topic_metadata"]["name"], topic["topic_metadata"]["type"])
            merged = self.topics.setdefault(key, {"topic_metadata": topic["topic_metadata"], "message_count": 0})
            merged["message_count"] += topic["message_count"]

    def write(self) -> None:
        """Rewrite metadata.yaml atomically."""
        with_messages = [f for f in self.files if f["message_count"]]
        start = min((f["starting_time"]["nanoseconds_since_epoch"] for f in with_messages), default=NO_MESSAGES_START)
        end = max(
            (f["starting_time"]["nanoseconds_since_epoch"] + f["duration"]["nanoseconds"] for f in with_messages),
            default=start,
        )
        information = {
            "version": ROSBAG2_VERSION,
            "storage_identifier": self.storage_identifier,
            "relative_file_paths": [f["path"] for f in self.files],
            "duration": {"nanoseconds": end - start},
            "starting_time": {"nanoseconds_since_epoch": start},
            "message_count": sum(f["message_count"] for f in self.files),
            "topics_with_message_count": list(self.topics.values()),
            "compression_format": "",
            "compression_mode": "",
            "files": self.files,
            "custom_data": None,
            "ros_distro": "rosbags",
        }
        yaml = YAML(typ="safe")
        yaml.default_flow_style = False
        text = StringIO()
        yaml.dump({"rosbag2_bagfile_information": information}, text)
        temporary = self.path / (METADATA_FILE + ".tmp")
        temporary.write_text(text.getvalue())
        temporary.replace(self.path / METADATA_FILE)

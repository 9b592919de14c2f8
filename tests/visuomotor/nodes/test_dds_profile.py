"""The Fast DDS profile that importing visuomotor.nodes selects exists, parses, and keeps Fast DDS's
built-in transports (UDPv4 + shared memory) with a shared-memory segment that holds a 640×480 RGB image."""

import os
import subprocess
import sys
import xml.etree.ElementTree as ET

from visuomotor.nodes import FASTDDS_PROFILE

NS = {"dds": "http://www.eprosima.com"}


def test_profile_is_the_default_participant_profile_with_a_large_shm_segment():
    root = ET.parse(FASTDDS_PROFILE).getroot()
    transports = {
        d.findtext("dds:transport_id", namespaces=NS): d for d in root.iterfind(".//dds:transport_descriptor", NS)
    }
    assert {d.findtext("dds:type", namespaces=NS) for d in transports.values()} == {"SHM", "UDPv4"}
    shm = next(d for d in transports.values() if d.findtext("dds:type", namespaces=NS) == "SHM")
    assert int(shm.findtext("dds:segment_size", namespaces=NS)) >= 2 * 640 * 480 * 3
    participant = root.find(".//dds:participant", NS)
    assert participant.get("is_default_profile") == "true"
    used = [t.text for t in participant.iterfind(".//dds:userTransports/dds:transport_id", NS)]
    assert sorted(used) == sorted(transports)


def run_import(environment: dict) -> str:
    code = "import os, visuomotor.nodes; print(os.environ.get('FASTDDS_DEFAULT_PROFILES_FILE', ''))"
    env = {k: v for k, v in os.environ.items() if k not in ("FASTDDS_DEFAULT_PROFILES_FILE", "RMW_IMPLEMENTATION")}
    return subprocess.run(
        [sys.executable, "-c", code], env={**env, **environment}, capture_output=True, text=True, check=True
    ).stdout.strip()


def test_importing_the_nodes_selects_it_unless_the_user_chose():
    assert run_import({}) == str(FASTDDS_PROFILE)
    assert run_import({"FASTDDS_DEFAULT_PROFILES_FILE": "/etc/mine.xml"}) == "/etc/mine.xml"
    assert run_import({"RMW_IMPLEMENTATION": "rmw_cyclonedds_cpp"}) == ""

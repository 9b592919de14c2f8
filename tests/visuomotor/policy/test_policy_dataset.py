import h5py
import numpy as np
import pytest
import torch
from policy_synthetic import synthetic_episode, write_synthetic

from visuomotor.policy.dataset import ChunkDataset, DatasetError, episode_files, read_episode
from visuomotor.policy.normalization import STD_FLOOR, NormalizationStats


def test_round_trip_of_the_hdf5_layout(tmp_path):
    write_synthetic(tmp_path, count=1, cameras=("top",))
    with h5py.File(tmp_path / "episode_0000.hdf5") as file:
        assert file["observations/qpos"].shape == (40, 7)
        assert file["observations/object_position"].shape == (40, 3)
        assert file["observations/images/top"].shape == (40, 48, 64, 3)
        assert file["action"].shape == (40, 7)
    episode = read_episode(tmp_path / "episode_0000.hdf5", with_images=True)
    original = synthetic_episode(0, cameras=("top",))
    np.testing.assert_allclose(episode.action, original.action, atol=1e-6)
    np.testing.assert_array_equal(episode.images["top"], original.images["top"])
    assert episode.states.shape == (40, 10) and episode.attrs["seed"] == 0


def test_chunks_are_padded_at_the_episode_end(demo_dir):
    dataset = ChunkDataset(episode_files(demo_dir), chunk_size=16)
    assert len(dataset) == 4 * 40
    raw = read_episode(demo_dir / "episode_0000.hdf5")
    last = dataset[37]  # t = 37: steps 37, 38, 39 real, 13 padded
    assert last["is_pad"].tolist() == [False] * 3 + [True] * 13
    assert torch.all(last["actions"][3:] == 0)
    expected = dataset.stats.normalize_action(torch.as_tensor(raw.action[37:40], dtype=torch.float32))
    torch.testing.assert_close(last["actions"][:3], expected)
    assert not dataset[0]["is_pad"].any()
    torch.testing.assert_close(
        dataset.stats.denormalize_action(dataset[5]["actions"][0]), torch.as_tensor(raw.action[5], dtype=torch.float32)
    )


def test_normalisation_statistics_come_from_the_data(demo_dir):
    dataset = ChunkDataset(episode_files(demo_dir), chunk_size=4)
    states = np.concatenate([read_episode(p).states for p in episode_files(demo_dir)])
    np.testing.assert_allclose(dataset.stats.state_mean, states.mean(0))
    np.testing.assert_allclose(dataset.stats.state_std, np.maximum(states.std(0), STD_FLOOR))
    assert dataset.stats.state_std[9] == STD_FLOOR  # cube z is constant: the floor keeps it finite
    normalized = torch.stack([dataset[i]["state"] for i in range(len(dataset))])
    torch.testing.assert_close(normalized[:, :9].mean(0), torch.zeros(9), atol=1e-5, rtol=0)
    torch.testing.assert_close(normalized[:, :2].std(0, unbiased=False), torch.ones(2), atol=1e-4, rtol=0)


def test_image_samples_are_scaled_and_resized(tmp_path):
    write_synthetic(tmp_path, count=1, cameras=("top",))
    dataset = ChunkDataset(episode_files(tmp_path), chunk_size=4, camera_names=("top",), image_size=(32, 32))
    images = dataset[3]["images"]
    assert images.shape == (1, 3, 32, 32) and images.min() >= 0.0 and images.max() <= 1.0
    with pytest.raises(DatasetError, match="no images for camera 'side'"):
        ChunkDataset(episode_files(tmp_path), chunk_size=4, camera_names=("side",))


def test_bad_files_give_clear_errors(tmp_path):
    with pytest.raises(DatasetError, match="no \\*.hdf5 episodes"):
        episode_files(tmp_path)
    (tmp_path / "episode_0000.hdf5").write_bytes(b"not hdf5")
    with pytest.raises(DatasetError, match="not a readable HDF5"):
        read_episode(tmp_path / "episode_0000.hdf5")
    with h5py.File(tmp_path / "nan.hdf5", "w") as file:
        file["observations/qpos"] = np.full((5, 7), np.nan)
        file["observations/object_position"] = np.zeros((5, 3))
        file["action"] = np.zeros((5, 7))
    with pytest.raises(DatasetError, match="qpos contains NaN"):
        read_episode(tmp_path / "nan.hdf5")
    with h5py.File(tmp_path / "short.hdf5", "w") as file:
        file["observations/qpos"] = np.zeros((5, 7))
        file["observations/object_position"] = np.zeros((5, 3))
        file["action"] = np.zeros((4, 7))
    with pytest.raises(DatasetError, match="action has shape"):
        read_episode(tmp_path / "short.hdf5")


def test_stats_json_validation():
    stats = NormalizationStats.from_data(np.random.rand(10, 10), np.random.rand(10, 7))
    again = NormalizationStats.from_json_dict(stats.to_json_dict())
    np.testing.assert_array_equal(again.action_std, stats.action_std)
    with pytest.raises(ValueError, match="non-positive"):
        NormalizationStats.from_json_dict({**stats.to_json_dict(), "state_std": [0.0] * 10})
    with pytest.raises(ValueError, match="lack"):
        NormalizationStats.from_json_dict({"state_mean": [0.0]})


def test_relative_joint_chunks_are_offsets_from_the_current_joints(demo_dir):
    dataset = ChunkDataset(episode_files(demo_dir), chunk_size=16, relative_joints=True)
    raw = read_episode(demo_dir / "episode_0000.hdf5")
    sample = dataset[30]  # steps 30 … 39 real
    offsets = dataset.stats.denormalize_action(sample["actions"][:10]).double().numpy()
    np.testing.assert_allclose(offsets[:, :6], raw.action[30:40, :6] - raw.qpos[30, :6], atol=1e-5)
    np.testing.assert_allclose(offsets[:, 6], raw.action[30:40, 6], atol=1e-5)  # gripper stays absolute
    offsets_all = np.concatenate(
        [
            read_episode(p).action[j:, :6] - read_episode(p).qpos[: 40 - j, :6]
            for p in episode_files(demo_dir)
            for j in range(16)
        ]
    )
    np.testing.assert_allclose(dataset.stats.action_mean[:6], offsets_all.mean(0), atol=1e-6)

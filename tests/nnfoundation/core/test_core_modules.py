"""Module registration, state dicts (strict loading errors), train/eval, init statistics, data, saving."""

import numpy as np
import pytest

import nnfoundation as nf
import nnfoundation.nn as nn
from nnfoundation import init
from nnfoundation.data import DataLoader
from nnfoundation.serialization import load_state_dict, save_state_dict


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(1, 2, 3, rng=np.random.default_rng(0)), nn.BatchNorm2d(2), nn.ReLU())
        self.heads = nn.ModuleList([nn.Linear(2, 3, rng=np.random.default_rng(1)), nn.Linear(3, 1, bias=False)])
        self.dropout = nn.Dropout(0.5)

    def forward(self, x):
        h = self.body(x).mean(axis=(2, 3))
        return self.heads[1](self.heads[0](self.dropout(h)))


def test_parameters_buffers_and_names():
    net = Net()
    names = [name for name, _ in net.named_parameters()]
    assert names == [
        "body.0.weight",
        "body.0.bias",
        "body.1.weight",
        "body.1.bias",
        "heads.0.weight",
        "heads.0.bias",
        "heads.1.weight",
    ]
    assert [name for name, _ in net.named_buffers()] == ["body.1.running_mean", "body.1.running_var"]
    assert len(list(net.parameters())) == 7
    assert set(net.state_dict()) == set(names) | {"body.1.running_mean", "body.1.running_var"}


def test_train_eval_propagates_and_zero_grad_clears():
    net = Net()
    net.eval()
    assert not net.training and not net.body[1].training and not net.dropout.training
    net.train()
    assert net.heads[0].training
    net(nf.Tensor(np.ones((2, 1, 4, 4)))).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_state_dict_round_trip_through_npz(tmp_path):
    source, target = Net(), Net()
    source.body[1].running_mean[:] = [0.5, -0.5]
    path = save_state_dict(source.state_dict(), tmp_path / "net")
    assert path.suffix == ".npz"
    target.load_state_dict(load_state_dict(path))
    for (name, a), (_, b) in zip(source.state_dict().items(), target.state_dict().items()):
        np.testing.assert_array_equal(a, b, err_msg=name)


def test_strict_loading_names_missing_unexpected_and_mismatched_keys():
    net = Net()
    state = net.state_dict()
    del state["heads.0.bias"]
    state["extra.weight"] = np.zeros(1)
    state["heads.1.weight"] = np.zeros((5, 5))
    with pytest.raises(KeyError) as error:
        net.load_state_dict(state)
    message = str(error.value)
    assert "missing keys ['heads.0.bias']" in message and "unexpected keys ['extra.weight']" in message
    assert "heads.1.weight: checkpoint (5, 5) vs model (1, 3)" in message
    state["heads.1.weight"] = np.ones((1, 3))
    net.load_state_dict(state, strict=False)
    np.testing.assert_array_equal(net.heads[1].weight.data, 1.0)


def test_load_missing_checkpoint_says_where():
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        load_state_dict("/nonexistent/model.npz")


@pytest.mark.parametrize(
    "scheme, variance",
    [
        (init.xavier_normal, 2 / (300 + 200)),
        (init.xavier_uniform, 2 / (300 + 200)),
        (init.kaiming_normal, 2 / 300),
        (init.kaiming_uniform, 2 / 300),
    ],
)
def test_init_variance_matches_seed_formulas(scheme, variance):
    w = scheme((200, 300), np.random.default_rng(0))
    assert w.dtype == np.float32
    assert abs(w.mean()) < 0.01 * np.sqrt(variance) * 10
    assert w.var() == pytest.approx(variance, rel=0.02)
    np.testing.assert_array_equal(w, scheme((200, 300), np.random.default_rng(0)))  # seeded


def test_init_conv_fans():
    assert init.fans((16, 3, 3, 3)) == (27, 144)
    w = init.kaiming_uniform((16, 3, 3, 3), np.random.default_rng(0))
    assert np.abs(w).max() <= np.sqrt(6 / 27)


def test_dataloader_is_seeded_covers_every_sample_and_reshuffles():
    x, y = np.arange(10)[:, None], np.arange(10)
    first = [b[1] for b in DataLoader(x, y, batch_size=4, seed=5)]
    again = [b[1] for b in DataLoader(x, y, batch_size=4, seed=5)]
    assert [len(b) for b in first] == [4, 4, 2]
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    np.testing.assert_array_equal(np.sort(np.concatenate(first)), np.arange(10))
    loader = DataLoader(x, y, batch_size=3, seed=5, drop_last=True)
    epoch1, epoch2 = [np.concatenate([b[1] for b in loader]) for _ in range(2)]
    assert len(loader) == 3 and len(epoch1) == 9 and not np.array_equal(epoch1, epoch2)
    for xb, yb in loader:
        np.testing.assert_array_equal(xb[:, 0], yb)


def test_dataloader_rejects_misaligned_arrays():
    with pytest.raises(ValueError, match="different lengths"):
        DataLoader(np.zeros(3), np.zeros(4), batch_size=2)

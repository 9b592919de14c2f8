"""Learning on real data: scikit-learn's bundled 8×8 handwritten digits (1797 images, offline).

Fixed split: 25 % test, stratified, random_state=0. Models are built only from nnfoundation.
"""

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import nnfoundation as nf
import nnfoundation.functional as F
import nnfoundation.nn as nn
import nnfoundation.optim as optim
from nnfoundation.data import DataLoader


@pytest.fixture(scope="module")
def digits():
    images, labels = load_digits(return_X_y=True)
    images = (images / 16.0).astype(np.float32)  # pixel values 0..16 → [0, 1]
    return train_test_split(images, labels, test_size=0.25, stratify=labels, random_state=0)


def train_classifier(model, x_train, y_train, epochs, lr, batch_size=32, seed=0):
    optimizer = optim.Adam(model.parameters(), lr=lr)
    loader = DataLoader(x_train, y_train, batch_size=batch_size, seed=seed)
    schedule = optim.LRScheduler(optimizer, optim.CosineDecay(lr, total_steps=epochs * len(loader)))
    model.train()
    for _ in range(epochs):
        for xb, yb in loader:
            optimizer.zero_grad()
            F.cross_entropy_with_logits(model(nf.Tensor(xb)), yb).backward()
            optimizer.step()
            schedule.step()
    model.eval()


def accuracy(model, x, y):
    with nf.no_grad():
        return float((model(nf.Tensor(x)).data.argmax(axis=1) == y).mean())


def test_mlp_reaches_95_percent(digits):
    x_train, x_test, y_train, y_test = digits
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Linear(64, 128, rng=rng), nn.ReLU(), nn.Dropout(0.1, rng=rng), nn.Linear(128, 10, rng=rng))
    train_classifier(model, x_train, y_train, epochs=15, lr=3e-3)
    assert accuracy(model, x_test, y_test) >= 0.95


def test_cnn_reaches_97_percent(digits):
    x_train, x_test, y_train, y_test = digits
    rng = np.random.default_rng(0)
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1, rng=rng),
        nn.BatchNorm2d(16),
        nn.ReLU(),
        nn.MaxPool2d(2),  # 16×4×4
        nn.Conv2d(16, 32, 3, padding=1, rng=rng),
        nn.BatchNorm2d(32),
        nn.ReLU(),
        nn.MaxPool2d(2),  # 32×2×2
        nn.Flatten(),
        nn.Linear(128, 10, rng=rng),
    )
    train_classifier(model, x_train.reshape(-1, 1, 8, 8), y_train, epochs=12, lr=3e-3)
    assert accuracy(model, x_test.reshape(-1, 1, 8, 8), y_test) >= 0.97

"""An LSTM and a small Transformer each learn a synthetic token-sequence task from scratch.

Tokens are one-hot vectors over V = 8 symbols; both models train with Adam on the masked sequence
cross-entropy (seed 000 §14) and are scored on 1000 fresh sequences.
- LSTM, delayed recall: output at step t is the input at step t - 3 (steps t < 3 masked out).
- Transformer encoder (2 pre-norm blocks, learned positions), reversal: output i is input T - 1 - i.
"""

import numpy as np

import nnfoundation as nf
import nnfoundation.functional as F
import nnfoundation.nn as nn
import nnfoundation.optim as optim

VOCAB = 8


def one_hot(tokens):
    return nf.Tensor(np.eye(VOCAB, dtype=np.float32)[tokens])


class LSTMTagger(nn.Module):
    def __init__(self, hidden, rng):
        super().__init__()
        self.lstm = nn.LSTM(VOCAB, hidden, rng=rng)
        self.head = nn.Linear(hidden, VOCAB, rng=rng)

    def forward(self, x):
        return self.head(self.lstm(x)[0])


class Reverser(nn.Module):
    def __init__(self, d_model, length, rng):
        super().__init__()
        self.embed = nn.Linear(VOCAB, d_model, rng=rng)
        self.position = nn.LearnedPositionalEncoding(d_model, length, rng=rng)
        self.blocks = nn.ModuleList(
            nn.TransformerEncoderLayer(d_model, 4, 2 * d_model, dropout=0.0, norm_first=True, rng=rng) for _ in range(2)
        )
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, VOCAB, rng=rng)

    def forward(self, x):
        h = self.position(self.embed(x))
        for block in self.blocks:
            h = block(h)
        return self.head(self.norm(h))


def train_and_score(model, make_batch, steps, lr):
    """Returns per-token accuracy over the unmasked steps of 1000 held-out sequences."""
    optimizer = optim.Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        tokens, target, mask = make_batch(64)
        optimizer.zero_grad()
        F.masked_sequence_cross_entropy(model(one_hot(tokens)), target, mask).backward()
        optimizer.step()
    tokens, target, mask = make_batch(1000)
    with nf.no_grad():
        predicted = model(one_hot(tokens)).data.argmax(axis=-1)
    return float(((predicted == target) * mask).sum() / mask.sum())


def test_lstm_learns_delayed_recall():
    rng, delay, length = np.random.default_rng(0), 3, 10

    def make_batch(n):
        tokens = rng.integers(0, VOCAB, (n, length))
        mask = np.ones((n, length))
        mask[:, :delay] = 0
        return tokens, np.roll(tokens, delay, axis=1), mask

    accuracy = train_and_score(LSTMTagger(32, rng), make_batch, steps=300, lr=0.01)
    assert accuracy >= 0.97  # chance level is 1/8


def test_transformer_learns_sequence_reversal():
    rng, length = np.random.default_rng(0), 8

    def make_batch(n):
        tokens = rng.integers(0, VOCAB, (n, length))
        return tokens, tokens[:, ::-1].copy(), np.ones((n, length))

    accuracy = train_and_score(Reverser(32, length, rng), make_batch, steps=300, lr=0.003)
    assert accuracy >= 0.97

"""Torch-free ACT inference: a trained state-mode ACT (visuomotor.policy.act) rebuilt from nnfoundation
modules, its weights copied from the torch state_dict by name. Only the inference path exists (z = 0, the
CVAE encoder is dropped):

    tokens = [W_z·0 + b_z, W_s·ŝ + b_s] + P        (B, 2, d)   latent and state tokens + learned positions
    memory = LN(encoder_N(... encoder_1(tokens)))  (B, 2, d)   pre-norm encoder stack (seed 004 §18.4)
    hidden = LN(decoder_M(... decoder_1(Q, memory)))   (B, k, d)   k learned queries Q, non-causal (§18.5)
    â      = W_a·hidden + b_a                      (B, k, action_dim), normalised actions

Computation runs in float64 (EXPORT_DTYPE): the copied float32 weights are exact in float64, so the result
is the float32 torch model's chunk without torch's rounding; the two agree to 4e-6 rad on the shipped
checkpoint (tests/visuomotor/policy/test_policy_nn_export.py asserts ≤ 1e-4 on 1000 states; numbers in
docs/policy.md). Image-mode checkpoints are refused: their ResNet18 camera tokens are not exported.
"""

from __future__ import annotations

import numpy as np

import nnfoundation as nf
from nnfoundation import nn
from visuomotor.policy.act import ACT, ACTConfig

EXPORT_DTYPE = np.float64
CVAE_PREFIXES = ("cvae_", "latent_head.")  # training-only weights (posterior q(z | s, a)), not exported


class NNFoundationACT(nn.Module):
    """The ACT policy (state mode, z = 0) in nnfoundation; parameter names equal the torch ACT's."""

    def __init__(self, config: ACTConfig, dtype=EXPORT_DTYPE):
        super().__init__()
        if config.camera_names:
            raise ValueError(
                f"this ACT uses cameras {list(config.camera_names)}; the nnfoundation runtime runs "
                "state-only checkpoints (camera_names empty): use runtime 'torch' for image mode"
            )
        self.config = config
        d, rng = config.d_model, np.random.default_rng(0)  # rng only fills weights that load_state_dict replaces
        self.latent_proj = nn.Linear(config.latent_dim, d, rng=rng, dtype=dtype)
        self.state_proj = nn.Linear(config.state_dim, d, rng=rng, dtype=dtype)
        self.token_positions = nn.Parameter(np.zeros((1, 2, d), dtype=dtype))
        self.encoder = nn.TransformerEncoder(
            config.n_encoder_layers,
            d,
            config.n_heads,
            config.d_feedforward,
            dropout=0.0,
            norm_first=True,
            final_norm=True,
            rng=rng,
            dtype=dtype,
        )
        self.queries = nn.Parameter(np.zeros((1, config.chunk_size, d), dtype=dtype))
        self.decoder = nn.TransformerDecoder(
            config.n_decoder_layers,
            d,
            config.n_heads,
            config.d_feedforward,
            dropout=0.0,
            norm_first=True,
            final_norm=True,
            rng=rng,
            dtype=dtype,
        )
        self.action_head = nn.Linear(d, config.action_dim, rng=rng, dtype=dtype)
        self.eval()

    def forward(self, state: nf.Tensor) -> nf.Tensor:
        """Normalised state (B, state_dim) → normalised action chunk (B, k, action_dim)."""
        batch, dtype = state.shape[0], self.queries.dtype
        z = nf.Tensor(np.zeros((batch, self.config.latent_dim), dtype=dtype))
        tokens = nf.stack([self.latent_proj(z), self.state_proj(state)], axis=1) + self.token_positions  # (B, 2, d)
        memory = self.encoder(tokens)  # (B, 2, d)
        queries = self.queries.broadcast_to((batch, *self.queries.shape[1:]))  # (B, k, d)
        return self.action_head(self.decoder(queries, memory, causal=False))  # (B, k, a)

    def predict(self, state: np.ndarray) -> np.ndarray:
        """Normalised state (B, state_dim) array → normalised chunk (B, k, action_dim) array, no autodiff graph."""
        with nf.no_grad():
            return self(nf.Tensor(np.asarray(state, dtype=self.queries.dtype))).data


def export_act(model: ACT, dtype=EXPORT_DTYPE) -> NNFoundationACT:
    """Copy a torch ACT's inference weights into a new NNFoundationACT (all names checked, CVAE ones skipped)."""
    exported = NNFoundationACT(model.config, dtype)
    weights = {
        name: tensor.detach().cpu().double().numpy()
        for name, tensor in model.state_dict().items()
        if not name.startswith(CVAE_PREFIXES)
    }
    exported.load_state_dict(weights)
    return exported

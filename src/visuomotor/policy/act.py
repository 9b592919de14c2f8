"""ACT: the Action Chunking Transformer (Zhao et al. 2023), a conditional VAE that maps a state (and
optional camera images) to a chunk of k future actions (seed 004 §29.3.3: k = T_a = 16 actions of 7 values,
6 absolute joint targets in rad + gripper 0 open / 1 closed).

    CVAE encoder (training only):  [CLS, state, a_1 .. a_k] → transformer → CLS → (μ, log σ²) ∈ R^2L
                                   z = μ + σ·ε, ε ~ N(0, I)            (reparameterisation)
    at inference:                  z = 0                                (the prior mean)
    policy encoder:                [z, state, image tokens ...] → transformer → memory
    policy decoder:                k learned queries attend to memory through every decoder layer → k actions
    loss:                          L1(â, a) over non-padded steps + β · KL(N(μ, σ²) ‖ N(0, I))

The official ACT code returns only the first decoder layer's output (its `hs[0]`); here the decoder output is
the final layer's, so every layer is used (tests/visuomotor/policy/test_policy_act.py proves it).
Inputs and outputs are normalised (visuomotor.policy.normalization); the model never sees raw units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from visuomotor.policy.config import ACTConfig
from visuomotor.policy.image_tokens import ResNet18Tokens


@dataclass
class ACTOutput:
    actions: torch.Tensor  # (B, k, action_dim), normalised
    mu: torch.Tensor | None  # (B, L) posterior mean; None at inference
    logvar: torch.Tensor | None  # (B, L) posterior log σ²; None at inference


def sinusoidal_positions(length: int, width: int) -> torch.Tensor:
    """Fixed transformer position code (seed 004 ch. 21): PE[p, 2i] = sin(p / 10000^(2i/d)),
    PE[p, 2i+1] = cos(p / 10000^(2i/d)). Returns (length, width)."""
    position = torch.arange(length, dtype=torch.float32)[:, None]  # (T, 1)
    frequency = torch.exp(torch.arange(0, width, 2, dtype=torch.float32) * (-math.log(10000.0) / width))
    table = torch.zeros(length, width)
    table[:, 0::2] = torch.sin(position * frequency)
    table[:, 1::2] = torch.cos(position * frequency[: width // 2])
    return table


def _encoder(config: ACTConfig, n_layers: int) -> nn.TransformerEncoder:
    layer = nn.TransformerEncoderLayer(
        config.d_model,
        config.n_heads,
        config.d_feedforward,
        config.dropout,
        activation="relu",
        batch_first=True,
        norm_first=True,
    )
    return nn.TransformerEncoder(layer, n_layers, norm=nn.LayerNorm(config.d_model), enable_nested_tensor=False)


class ACT(nn.Module):
    def __init__(self, config: ACTConfig):
        super().__init__()
        self.config = config
        d = config.d_model
        # CVAE encoder q(z | state, actions)
        self.cvae_cls = nn.Parameter(torch.zeros(1, 1, d))
        self.cvae_state_proj = nn.Linear(config.state_dim, d)
        self.cvae_action_proj = nn.Linear(config.action_dim, d)
        self.cvae_positions: torch.Tensor  # (2 + k, d) buffer
        self.register_buffer("cvae_positions", sinusoidal_positions(2 + config.chunk_size, d), persistent=False)
        self.cvae_encoder = _encoder(config, config.n_cvae_layers)
        self.latent_head = nn.Linear(d, 2 * config.latent_dim)
        # policy encoder over [z, state, image tokens]
        self.latent_proj = nn.Linear(config.latent_dim, d)
        self.state_proj = nn.Linear(config.state_dim, d)
        self.token_positions = nn.Parameter(torch.zeros(1, 2, d))  # learned, for the z and state tokens
        self.image_tokens = ResNet18Tokens(d) if config.camera_names else None
        self.encoder = _encoder(config, config.n_encoder_layers)
        # policy decoder: k learned queries
        self.queries = nn.Parameter(torch.zeros(1, config.chunk_size, d))
        decoder_layer = nn.TransformerDecoderLayer(
            d,
            config.n_heads,
            config.d_feedforward,
            config.dropout,
            activation="relu",
            batch_first=True,
            norm_first=True,
        )
        self.decoder = nn.TransformerDecoder(decoder_layer, config.n_decoder_layers, norm=nn.LayerNorm(d))
        self.action_head = nn.Linear(d, config.action_dim)
        nn.init.normal_(self.cvae_cls, std=0.02)
        nn.init.normal_(self.token_positions, std=0.02)
        nn.init.normal_(self.queries, std=0.02)

    def encode_latent(
        self, state: torch.Tensor, actions: torch.Tensor, is_pad: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Posterior q(z | s, a_1..k): (B, state_dim), (B, k, action_dim), (B, k) bool → μ, log σ² (B, L)."""
        batch = state.shape[0]
        tokens = torch.cat(
            [
                self.cvae_cls.expand(batch, -1, -1),  # (B, 1, d)
                self.cvae_state_proj(state)[:, None],  # (B, 1, d)
                self.cvae_action_proj(actions),
            ],
            dim=1,
        )  # (B, k, d) → (B, 2+k, d)
        tokens = tokens + self.cvae_positions[None]
        key_padding = torch.cat([torch.zeros(batch, 2, dtype=torch.bool, device=state.device), is_pad], dim=1)
        hidden = self.cvae_encoder(tokens, src_key_padding_mask=key_padding)  # (B, 2+k, d)
        mu, logvar = self.latent_head(hidden[:, 0]).chunk(2, dim=-1)  # (B, L) each
        return mu, logvar

    def decode(self, state: torch.Tensor, z: torch.Tensor, images: torch.Tensor | None) -> torch.Tensor:
        """Policy p(a_1..k | s, z, images): (B, state_dim), (B, L), (B, n_cam, 3, H, W) → (B, k, action_dim)."""
        batch = state.shape[0]
        tokens = torch.cat([self.latent_proj(z)[:, None], self.state_proj(state)[:, None]], dim=1)  # (B, 2, d)
        tokens = tokens + self.token_positions
        if self.image_tokens is not None:
            if images is None:
                raise ValueError(
                    f"this ACT uses cameras {list(self.config.camera_names)}; pass images (B, n_cameras, 3, H, W)"
                )
            per_camera = [self.image_tokens(images[:, c]) for c in range(images.shape[1])]  # (B, h·w, d) each
            tokens = torch.cat([tokens, *per_camera], dim=1)  # (B, 2 + n·h·w, d)
        memory = self.encoder(tokens)  # (B, S, d)
        hidden = self.decoder(self.queries.expand(batch, -1, -1), memory)  # (B, k, d), last layer
        return self.action_head(hidden)  # (B, k, action_dim)

    def forward(
        self,
        state: torch.Tensor,
        images: torch.Tensor | None = None,
        actions: torch.Tensor | None = None,
        is_pad: torch.Tensor | None = None,
        noise: torch.Tensor | None = None,
    ) -> ACTOutput:
        """Training when `actions` (B, k, action_dim) is given: z sampled from the posterior with `noise`
        (B, L) (drawn from N(0, I) when None). Inference otherwise: z = 0."""
        batch = state.shape[0]
        if actions is None:
            z = torch.zeros(batch, self.config.latent_dim, dtype=state.dtype, device=state.device)
            return ACTOutput(self.decode(state, z, images), None, None)
        if is_pad is None:
            is_pad = torch.zeros(actions.shape[:2], dtype=torch.bool, device=actions.device)
        mu, logvar = self.encode_latent(state, actions, is_pad)
        if noise is None:
            noise = torch.randn_like(mu)
        z = mu + torch.exp(0.5 * logvar) * noise  # reparameterisation
        return ACTOutput(self.decode(state, z, images), mu, logvar)


def kl_divergence(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(μ, σ²) ‖ N(0, I)) = −½ Σ_j (1 + log σ_j² − μ_j² − σ_j²), summed over the latent, mean over the
    batch (Kingma & Welling 2014; seed 004 ch. 19 VAE). (B, L), (B, L) → scalar."""
    return (-0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(dim=-1)).mean()


def act_loss(
    output: ACTOutput, actions: torch.Tensor, is_pad: torch.Tensor, kl_weight: float
) -> dict[str, torch.Tensor]:
    """L = L1 + β·KL. L1 = mean over all (B, k, action_dim) entries of |â − a|·[not padded] (as in ACT: padded
    steps count as zero, so the mean over two half batches equals the mean over the whole batch)."""
    if output.mu is None or output.logvar is None:
        raise ValueError("act_loss needs a training-mode output; call the model with actions")
    valid = (~is_pad)[..., None].to(actions.dtype)  # (B, k, 1)
    l1 = (F.l1_loss(output.actions, actions, reduction="none") * valid).mean()
    kl = kl_divergence(output.mu, output.logvar)
    return {"loss": l1 + kl_weight * kl, "l1": l1, "kl": kl}

"""Configurations of the ACT model and of its training (torch-free, so the CLI can show their defaults
without importing torch)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from visuomotor.robot.state_layout import ACTION_DIM, STATE_DIM

EVAL_SEED_START = 100_000  # demonstrations use seeds below this, held-out evaluation seeds start here


@dataclass(frozen=True)
class ACTConfig:
    state_dim: int = STATE_DIM  # 6 joints (rad) + gripper (0..1) + red cube position in base_link (m)
    action_dim: int = ACTION_DIM  # 6 absolute joint targets (rad) + gripper command (0 open / 1 closed)
    chunk_size: int = 16  # k = T_a actions predicted per query
    latent_dim: int = 32  # L, size of the CVAE latent z
    d_model: int = 256  # transformer width
    n_heads: int = 8
    d_feedforward: int = 1024
    n_cvae_layers: int = 2  # CVAE encoder depth
    n_encoder_layers: int = 2  # policy encoder depth
    n_decoder_layers: int = 4  # policy decoder depth (every layer feeds the output)
    dropout: float = 0.1
    kl_weight: float = 10.0  # β
    relative_joints: bool = False  # predict joint targets as offsets from the current joint angles (see dataset.py)
    camera_names: tuple[str, ...] = field(default_factory=tuple)  # empty = state-only mode
    image_height: int = 240  # images are resized to this size before the backbone
    image_width: int = 320

    def __post_init__(self) -> None:
        positive = {
            name: getattr(self, name)
            for name in (
                "state_dim",
                "action_dim",
                "chunk_size",
                "latent_dim",
                "d_model",
                "n_heads",
                "d_feedforward",
                "n_cvae_layers",
                "n_encoder_layers",
                "n_decoder_layers",
                "image_height",
                "image_width",
            )
        }
        for name, value in positive.items():
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"ACTConfig.{name} = {value!r}; it must be a positive integer")
        if self.d_model % self.n_heads:
            raise ValueError(
                f"ACTConfig.d_model = {self.d_model} is not divisible by n_heads = {self.n_heads}; "
                "pick a width that is a multiple of the head count"
            )
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"ACTConfig.dropout = {self.dropout}; it must lie in [0, 1)")
        if self.kl_weight < 0:
            raise ValueError(f"ACTConfig.kl_weight = {self.kl_weight}; it must be >= 0")
        object.__setattr__(self, "camera_names", tuple(self.camera_names))

    def to_json_dict(self) -> dict:
        return {**asdict(self), "camera_names": list(self.camera_names)}

    @classmethod
    def from_json_dict(cls, values: dict) -> ACTConfig:
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown ACTConfig keys {unknown}; the checkpoint was written by another version")
        return cls(**{**values, "camera_names": tuple(values.get("camera_names", ()))})


@dataclass(frozen=True)
class TrainConfig:
    data: str  # directory of episode_*.hdf5
    out: str  # checkpoint directory (resumed when it holds training_state.*)
    steps: int = 20000  # optimizer steps in total (including resumed ones)
    batch_size: int = 64  # global batch (split over the processes)
    lr: float = 1e-4
    lr_schedule: str = "constant"  # constant | cosine (lr · ½(1 + cos(π · step / steps)))
    weight_decay: float = 1e-4
    seed: int = 0
    checkpoint_every: int = 1000
    log_every: int = 50
    time_limit_s: float = 0.0  # stop (and checkpoint) after this many seconds; 0 = no limit
    device: str = "auto"  # auto | cpu | cuda | cuda:N
    num_workers: int = 0  # DataLoader workers per process
    threads: int = 0  # torch intra-op threads per process (set by the command); 0 = torch's default
    pretrained_backbone: str = ""  # image mode: local ResNet18 safetensors to start the trunk from
    progress: bool = True  # tqdm bar on rank 0

    def __post_init__(self) -> None:
        for name in ("steps", "batch_size", "checkpoint_every", "log_every"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} = {getattr(self, name)} must be >= 1")
        if self.lr <= 0:
            raise ValueError(f"lr = {self.lr} must be > 0")
        if self.lr_schedule not in ("constant", "cosine"):
            raise ValueError(f"lr_schedule = {self.lr_schedule!r}; use constant or cosine")

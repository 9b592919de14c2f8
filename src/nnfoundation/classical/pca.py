"""Principal component analysis (seed 000 §6, seed 002 §6).

Data are stored as the seeds do: X ∈ R^{d×n}, one column per sample. The closed form handles d = 2
with the scatter matrix A = X_c X_cᵀ = [[a, b], [b, c]] of the centred data X_c (seed 002 §6):
λ₁,₂ = ((a + c) ± sqrt((a − c)² + 4b²)) / 2, u₁ = [λ₁ − c, b], v₁ = u₁/‖u₁‖ (b ≠ 0),
scores h₁ = v₁ᵀX_c, EVR₁ = λ₁ / (λ₁ + λ₂). The general form uses the SVD X_c = U S Vᵀ: the components
are the columns of U, λ_i = S_i², and the rank-k reconstruction is B + C Cᵀ (A − B) with B the row
means and C = U[:, :k] (seed 002 §6 "rank-1 reconstruction form", here for any k).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def _data_matrix(x: np.ndarray) -> np.ndarray:
    data = np.asarray(x, dtype=np.float64)
    if data.ndim != 2 or data.shape[1] < 2:
        raise ValueError(f"x must be a (d, n) matrix with one column per sample and n >= 2, got shape {data.shape}")
    return data


@dataclass(frozen=True)
class TwoFeaturePCA:
    """Closed-form 2-feature PCA: eigenvalues (λ₁ ≥ λ₂) of X_c X_cᵀ, unit first component v₁ (2,),
    scores h₁ (n,), explained-variance ratio EVR₁."""

    eigenvalues: np.ndarray
    first_component: np.ndarray
    scores: np.ndarray
    explained_variance_ratio: float


def pca_two_features(x: np.ndarray) -> TwoFeaturePCA:
    """Seed 002 §6 closed form for data x (2, n)."""
    data = _data_matrix(x)
    if data.shape[0] != 2:
        raise ValueError(
            f"the closed form needs exactly 2 features (rows), got {data.shape[0]}; use PrincipalComponents"
        )
    centred = data - data.mean(axis=1, keepdims=True)
    (a, b), (_, c) = centred @ centred.T
    root = np.sqrt((a - c) ** 2 + 4 * b**2)
    first, second = ((a + c) + root) / 2, ((a + c) - root) / 2
    if b != 0:
        direction = np.array([first - c, b])
    else:  # already diagonal: the axis of the larger variance
        direction = np.array([1.0, 0.0]) if a >= c else np.array([0.0, 1.0])
    component = direction / np.linalg.norm(direction)
    return TwoFeaturePCA(
        eigenvalues=np.array([first, second]),
        first_component=component,
        scores=component @ centred,
        explained_variance_ratio=float(first / (first + second)),
    )


@dataclass(frozen=True)
class PrincipalComponents:
    """PCA of data (d, n) by SVD: mean (d,), components (d, r) as columns, eigenvalues λ_i = S_i² of
    X_c X_cᵀ (r,), in decreasing order, r = min(d, n); num_samples n."""

    mean: np.ndarray
    components: np.ndarray
    eigenvalues: np.ndarray
    num_samples: int

    @classmethod
    def fit(cls, x: np.ndarray) -> PrincipalComponents:
        data = _data_matrix(x)
        mean = data.mean(axis=1)
        left, singular, _ = np.linalg.svd(data - mean[:, None], full_matrices=False)
        return cls(mean=mean, components=left, eigenvalues=singular**2, num_samples=data.shape[1])

    @property
    def explained_variance(self) -> np.ndarray:
        """Sample variance along each component, λ_i / (n − 1)."""
        return self.eigenvalues / (self.num_samples - 1)

    @property
    def explained_variance_ratio(self) -> np.ndarray:
        """EVR_i = λ_i / Σ_j λ_j (seed 002 §6)."""
        return self.eigenvalues / self.eigenvalues.sum()

    def _check_rank(self, rank: int) -> int:
        if not 1 <= rank <= self.components.shape[1]:
            raise ValueError(f"rank must be in [1, {self.components.shape[1]}], got {rank}")
        return rank

    def transform(self, x: np.ndarray, rank: int) -> np.ndarray:
        """Scores H = C_kᵀ (X − B), shape (k, n)."""
        data = np.asarray(x, dtype=np.float64)
        return self.components[:, : self._check_rank(rank)].T @ (data - self.mean[:, None])

    def reconstruct(self, x: np.ndarray, rank: int) -> np.ndarray:
        """Rank-k reconstruction B + C_k C_kᵀ (A − B), shape (d, n) (seed 002 §6)."""
        data = np.asarray(x, dtype=np.float64)
        basis = self.components[:, : self._check_rank(rank)]
        return self.mean[:, None] + basis @ (basis.T @ (data - self.mean[:, None]))

"""PCA: closed 2-feature form vs eigh and SVD form; SVD form vs sklearn.decomposition.PCA."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.decomposition import PCA

from nnfoundation.classical.pca import PrincipalComponents, pca_two_features


def _correlated(seed: int, d: int, n: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(d, d)) * np.linspace(3, 0.3, d)
    return mixing @ rng.normal(size=(d, n)) + rng.normal(size=(d, 1))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_two_feature_closed_form_equals_eigendecomposition(seed: int) -> None:
    x = _correlated(seed, 2, 40)
    result = pca_two_features(x)
    centred = x - x.mean(axis=1, keepdims=True)
    values, vectors = np.linalg.eigh(centred @ centred.T)
    np.testing.assert_allclose(result.eigenvalues, values[::-1], rtol=1e-12)
    assert abs(result.first_component @ vectors[:, -1]) == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(result.scores, result.first_component @ centred)
    assert result.explained_variance_ratio == pytest.approx(values[-1] / values.sum())
    svd = PrincipalComponents.fit(x)
    np.testing.assert_allclose(svd.eigenvalues, result.eigenvalues, rtol=1e-10)


def test_two_feature_closed_form_with_uncorrelated_features() -> None:
    x = np.array([[-1.0, 1.0, -1.0, 1.0], [-3.0, -3.0, 3.0, 3.0]])
    result = pca_two_features(x)
    np.testing.assert_allclose(result.first_component, [0.0, 1.0])
    assert result.explained_variance_ratio == pytest.approx(36 / 40)


@pytest.mark.parametrize("d,n,seed", [(2, 10, 0), (5, 50, 1), (8, 30, 2), (12, 6, 3)])
def test_svd_pca_matches_sklearn(d: int, n: int, seed: int) -> None:
    x = _correlated(seed, d, n)
    ours = PrincipalComponents.fit(x)
    reference = PCA().fit(x.T)
    k = min(d, n - 1)  # centred data has rank <= n - 1; beyond it the directions are arbitrary
    for i in range(k):
        assert abs(ours.components[:, i] @ reference.components_[i]) == pytest.approx(1.0, abs=1e-8)
    np.testing.assert_allclose(
        ours.explained_variance_ratio[:k], reference.explained_variance_ratio_[:k], rtol=1e-8, atol=1e-14
    )
    np.testing.assert_allclose(ours.explained_variance[:k], reference.explained_variance_[:k], rtol=1e-8, atol=1e-12)
    rank = max(1, k // 2)
    truncated = PCA(n_components=rank).fit(x.T)
    np.testing.assert_allclose(
        ours.reconstruct(x, rank), truncated.inverse_transform(truncated.transform(x.T)).T, atol=1e-9
    )
    np.testing.assert_allclose(np.abs(ours.transform(x, rank)), np.abs(truncated.transform(x.T).T), atol=1e-9)


def test_full_rank_reconstruction_is_exact_and_bad_input_raises() -> None:
    x = _correlated(4, 3, 20)
    model = PrincipalComponents.fit(x)
    np.testing.assert_allclose(model.reconstruct(x, 3), x, atol=1e-10)
    with pytest.raises(ValueError, match="rank must be in"):
        model.reconstruct(x, 4)
    with pytest.raises(ValueError, match="exactly 2 features"):
        pca_two_features(x)
    with pytest.raises(ValueError, match="one column per sample"):
        PrincipalComponents.fit(np.ones(5))

import math

import numpy as np
import pytest

from visuomotor.policy.action_schedule import ChunkExecution, TemporalEnsembling, ensemble_weights


def chunk(start: int, k: int = 4) -> np.ndarray:
    """A chunk predicted at step `start` whose entry j says "step start+j, predicted at start"."""
    return np.array([[start + j, start] for j in range(k)], dtype=float)


def test_weights_follow_exp_minus_m_i_with_oldest_first():
    weights = ensemble_weights(3, m=0.5)
    expected = np.exp(-0.5 * np.arange(3))
    np.testing.assert_allclose(weights, expected / expected.sum())
    assert weights[0] > weights[1] > weights[2]  # i = 0, the oldest, weighs most
    np.testing.assert_allclose(ensemble_weights(4, 0.0), 0.25)


def test_temporal_ensembling_averages_overlapping_predictions():
    schedule = TemporalEnsembling(chunk_size=4, m=0.5)
    actions = []
    for step in range(6):
        assert schedule.wants_query()
        schedule.add_chunk(chunk(step))
        assert not schedule.wants_query()
        actions.append(schedule.next_action())
    # every prediction for step t says t, so the ensembled step value is t whatever the weights
    np.testing.assert_allclose([a[0] for a in actions], range(6))
    # the second value is the weighted mean of the prediction times: step 5 sees chunks from 2, 3, 4, 5
    w = np.exp(-0.5 * np.arange(4))
    assert actions[5][1] == pytest.approx(float(w @ np.array([2, 3, 4, 5]) / w.sum()))
    # step 1 sees chunks from 0 (oldest, i = 0) and 1
    assert actions[1][1] == pytest.approx(math.exp(-0.5) / (1 + math.exp(-0.5)))


def test_chunk_execution_plays_open_loop_and_requeries_every_k_steps():
    schedule = ChunkExecution(chunk_size=4)
    queried, actions = [], []
    for step in range(8):
        if schedule.wants_query():
            queried.append(step)
            schedule.add_chunk(chunk(step))
        actions.append(schedule.next_action()[0])
    assert queried == [0, 4]
    assert actions == list(range(8))
    partial = ChunkExecution(chunk_size=4, execute_steps=2)
    partial.add_chunk(chunk(0))
    partial.next_action(), partial.next_action()
    assert partial.wants_query()


def test_schedules_reject_bad_chunks_and_misuse():
    with pytest.raises(ValueError, match="shape"):
        TemporalEnsembling(4).add_chunk(np.zeros((3, 7)))
    with pytest.raises(ValueError, match="non-finite"):
        ChunkExecution(4).add_chunk(np.full((4, 7), np.nan))
    with pytest.raises(RuntimeError, match="add_chunk"):
        ChunkExecution(4).next_action()
    with pytest.raises(ValueError, match="execute_steps"):
        ChunkExecution(4, execute_steps=5)

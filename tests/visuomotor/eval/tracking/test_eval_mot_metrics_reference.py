"""Our MOT metrics equal motmetrics (MOTA, MOTP, IDF1, IDP, IDR, ID switches, FP, FN) and trackeval
(HOTA, DetA, AssA, LocA; MOTA, IDF1) to 1e-6 on generated MOTChallenge sequences with ID switches,
misses, false positives, fragments and near-threshold boxes; with distractor ground truth (ignored,
hypotheses on it not counted) they equal trackeval's MOT17 preprocessing."""

from pathlib import Path

import motmetrics as mm
import numpy as np
import pytest
import trackeval

from visuomotor.eval.tracking.mot_metrics import (
    evaluate,
    frame_from_positions,
    frames_from_mot_challenge,
    load_mot_challenge,
)

BENCHMARK, SPLIT, TRACKER = "MOT17", "train", "ours"


def generate_sequence(seed: int, frames: int = 40, objects: int = 5, distractors: int = 0):
    """(gt rows, hypothesis rows) in MOTChallenge format, frames from 1; the last `distractors` objects
    are of MOT17's class 8 (distractor)."""
    rng = np.random.default_rng(seed)
    objects += distractors
    start = rng.uniform([0, 0], [500, 350], (objects, 2))
    velocity = rng.uniform(-4, 4, (objects, 2))
    size = rng.uniform([30, 60], [80, 140], (objects, 2))
    birth = rng.integers(1, frames // 3, objects)
    death = rng.integers(2 * frames // 3, frames + 1, objects)
    gt, hyp = [], []
    swap_at = frames // 2  # objects 0 and 1 swap hypothesis ids
    for t in range(1, frames + 1):
        for k in range(objects):
            if not birth[k] <= t <= death[k]:
                continue
            x, y = start[k] + velocity[k] * t
            gt.append([t, k + 1, x, y, *size[k], 1, 8 if k >= objects - distractors else 1, 1])
            if rng.random() < 0.1:  # miss
                continue
            hyp_id = 100 + k
            if k in (0, 1) and t >= swap_at:
                hyp_id = 101 - k
            if k == 2 and t > 25:  # fragment: a new id after frame 25
                hyp_id = 200
            jitter = rng.normal(0, 6 if k == 3 else 2, 4)  # object 3 hovers around IoU 0.5
            hyp.append(
                [t, hyp_id, x + jitter[0], y + jitter[1], size[k][0] + jitter[2], size[k][1] + jitter[3], 1, -1, -1, -1]
            )
        for j in range(rng.poisson(0.4)):  # false positives (ids reused across frames)
            hyp.append([t, 300 + j, *rng.uniform(0, 500, 2), 50, 90, 1, -1, -1, -1])
    return np.array(gt), np.array(hyp)


def write_mot_challenge(root: Path, sequences: dict[str, tuple[np.ndarray, np.ndarray]]):
    gt_root = root / "gt" / f"{BENCHMARK}-{SPLIT}"
    tracker_root = root / "trackers" / f"{BENCHMARK}-{SPLIT}" / TRACKER / "data"
    tracker_root.mkdir(parents=True)
    (root / "gt" / "seqmaps").mkdir(parents=True)
    (root / "gt" / "seqmaps" / f"{BENCHMARK}-{SPLIT}.txt").write_text("name\n" + "\n".join(sequences) + "\n")
    for name, (gt, hyp) in sequences.items():
        (gt_root / name / "gt").mkdir(parents=True)
        length = int(max(gt[:, 0].max(), hyp[:, 0].max()))
        (gt_root / name / "seqinfo.ini").write_text(
            f"[Sequence]\nname={name}\nimDir=img1\nframeRate=30\nseqLength={length}\nimWidth=640\nimHeight=480\nimExt=.jpg\n"
        )
        np.savetxt(gt_root / name / "gt" / "gt.txt", gt, delimiter=",", fmt="%.6f")
        np.savetxt(tracker_root / f"{name}.txt", hyp, delimiter=",", fmt="%.6f")
    return gt_root, tracker_root


def trackeval_results(root: Path):
    eval_config = trackeval.Evaluator.get_default_eval_config()
    eval_config.update(
        USE_PARALLEL=False,
        PRINT_RESULTS=False,
        PRINT_CONFIG=False,
        TIME_PROGRESS=False,
        OUTPUT_SUMMARY=False,
        OUTPUT_DETAILED=False,
        PLOT_CURVES=False,
        DISPLAY_LESS_PROGRESS=True,
        LOG_ON_ERROR=str(root / "error.log"),
    )
    dataset_config = trackeval.datasets.MotChallenge2DBox.get_default_dataset_config()
    dataset_config.update(
        GT_FOLDER=str(root / "gt"),
        TRACKERS_FOLDER=str(root / "trackers"),
        OUTPUT_FOLDER=str(root / "out"),
        BENCHMARK=BENCHMARK,
        SPLIT_TO_EVAL=SPLIT,
        TRACKERS_TO_EVAL=[TRACKER],
        PRINT_CONFIG=False,
    )
    metrics = [
        trackeval.metrics.HOTA({"PRINT_CONFIG": False}),
        trackeval.metrics.CLEAR({"PRINT_CONFIG": False}),
        trackeval.metrics.Identity({"PRINT_CONFIG": False}),
    ]
    results, messages = trackeval.Evaluator(eval_config).evaluate(
        [trackeval.datasets.MotChallenge2DBox(dataset_config)], metrics
    )
    assert messages["MotChallenge2DBox"][TRACKER] == "Success"
    return results["MotChallenge2DBox"][TRACKER]


def evaluated_with_trackeval(root: Path, data: dict[str, tuple[np.ndarray, np.ndarray]]):
    gt_root, tracker_root = write_mot_challenge(root, data)
    paths = {name: (gt_root / name / "gt" / "gt.txt", tracker_root / f"{name}.txt") for name in data}
    return paths, trackeval_results(root)


@pytest.fixture(scope="module")
def sequences(tmp_path_factory):
    return evaluated_with_trackeval(
        tmp_path_factory.mktemp("mot"), {f"SYN-{seed:02d}": generate_sequence(seed) for seed in range(4)}
    )


@pytest.fixture(scope="module")
def sequences_with_distractors(tmp_path_factory):
    return evaluated_with_trackeval(
        tmp_path_factory.mktemp("mot_distractors"),
        {f"SYN-{seed:02d}": generate_sequence(seed, distractors=2) for seed in range(10, 14)},
    )


def ours(gt_path, hyp_path):
    return evaluate(
        frames_from_mot_challenge(load_mot_challenge(gt_path, min_confidence=1), load_mot_challenge(hyp_path))
    )


def test_sequences_exercise_every_error_kind(sequences):
    paths, _ = sequences
    totals = [ours(*p) for p in paths.values()]
    assert all(m.id_switches > 0 and m.false_positives > 0 and m.misses > 0 for m in totals)
    assert all(0.3 < m.mota < 0.95 and 0.3 < m.hota < 0.95 for m in totals)


def test_clear_and_identity_equal_motmetrics(sequences, monkeypatch):
    # motmetrics 1.4's iou_matrix still calls np.asfarray, removed in NumPy 2: restore it for the reference.
    monkeypatch.setattr(np, "asfarray", lambda a: np.asarray(a, dtype=float), raising=False)
    paths, _ = sequences
    handler = mm.metrics.create()
    names = ["mota", "motp", "idf1", "idp", "idr", "num_switches", "num_false_positives", "num_misses", "num_objects"]
    for name, (gt_path, hyp_path) in paths.items():
        gt = mm.io.loadtxt(gt_path, fmt="mot15-2D", min_confidence=1)
        hyp = mm.io.loadtxt(hyp_path, fmt="mot15-2D")
        accumulator = mm.utils.compare_to_groundtruth(gt, hyp, "iou", distth=0.5)
        reference = handler.compute(accumulator, metrics=names, name=name).iloc[0]
        metrics = ours(gt_path, hyp_path)
        for key, value in [
            ("mota", metrics.mota),
            ("motp", metrics.motp),
            ("idf1", metrics.idf1),
            ("idp", metrics.idp),
            ("idr", metrics.idr),
        ]:
            assert value == pytest.approx(reference[key], abs=1e-6), (name, key)
        assert (metrics.id_switches, metrics.false_positives, metrics.misses, metrics.num_gt) == (
            reference["num_switches"],
            reference["num_false_positives"],
            reference["num_misses"],
            reference["num_objects"],
        )


@pytest.mark.parametrize("fixture", ["sequences", "sequences_with_distractors"])
def test_hota_clear_identity_equal_trackeval(fixture, request):
    paths, reference = request.getfixturevalue(fixture)
    for name, (gt_path, hyp_path) in paths.items():
        expected = reference[name]["pedestrian"]
        metrics = ours(gt_path, hyp_path)
        for key, ref_key in [("hota", "HOTA"), ("det_a", "DetA"), ("ass_a", "AssA"), ("loc_a", "LocA")]:
            assert getattr(metrics, key) == pytest.approx(float(np.mean(expected["HOTA"][ref_key])), abs=1e-6), (
                name,
                key,
            )
        assert metrics.idf1 == pytest.approx(expected["Identity"]["IDF1"], abs=1e-6)
        assert metrics.mota == pytest.approx(expected["CLEAR"]["MOTA"], abs=1e-6)
        clear = expected["CLEAR"]
        assert (metrics.false_positives, metrics.misses, metrics.id_switches, metrics.num_gt) == (
            clear["CLR_FP"],
            clear["CLR_FN"],
            clear["IDSW"],
            clear["CLR_TP"] + clear["CLR_FN"],
        )


def test_distractor_hypotheses_are_neither_false_positives_nor_ground_truth(sequences_with_distractors):
    paths, _ = sequences_with_distractors
    for gt_path, hyp_path in paths.values():
        gt, hyp = load_mot_challenge(gt_path, min_confidence=1), load_mot_challenge(hyp_path)
        scored = evaluate(frames_from_mot_challenge(gt, hyp))
        counted = evaluate(frames_from_mot_challenge(gt, hyp, ignored_classes=()))
        distractor_rows = sum(c == 8 for rows in gt.values() for _, _, c in rows)
        assert distractor_rows > 0
        assert scored.num_gt == counted.num_gt - distractor_rows
        assert scored.num_hyp < counted.num_hyp and scored.false_positives <= counted.false_positives


def test_3d_positions_equal_motmetrics_with_euclidean_distances():
    rng = np.random.default_rng(7)
    truth = rng.uniform(0, 1, (4, 3))
    accumulator = mm.MOTAccumulator(auto_id=True)
    frames = []
    for t in range(30):
        gt_ids = [k for k in range(4) if not (k == 3 and 10 <= t < 14)]  # object 3 leaves for 4 frames
        seen = [k for k in gt_ids if rng.random() > 0.1]
        hyp_ids = [100 + k if not (k == 0 and t >= 20) else 109 for k in seen]  # object 0 changes id at 20
        hyp_xyz = [truth[k] + rng.normal(0, 0.01, 3) for k in seen]
        if t % 7 == 0:
            hyp_ids.append(999)
            hyp_xyz.append(rng.uniform(0, 1, 3))
        frame = frame_from_positions(gt_ids, truth[gt_ids], hyp_ids, np.reshape(hyp_xyz, (-1, 3)), max_distance=0.05)
        frames.append(frame)
        accumulator.update(gt_ids, hyp_ids, frame.distance)
    reference = mm.metrics.create().compute(accumulator, metrics=["mota", "motp", "idf1", "num_switches"]).iloc[0]
    metrics = evaluate(frames)
    assert metrics.id_switches == reference["num_switches"] >= 1
    for key in ("mota", "motp", "idf1"):
        assert getattr(metrics, key) == pytest.approx(reference[key], abs=1e-9)
    assert 0.0 < metrics.motp < 0.05  # metres


def test_3d_hota_equals_trackeval_on_distance_similarities():
    rng = np.random.default_rng(3)
    truth = rng.uniform(0, 1, (3, 3))
    frames = []
    for t in range(25):
        gt_ids = [0, 1, 2] if t < 20 else [0, 1]
        hyp_ids = [10, 11 if t < 12 else 13, 12][: len(gt_ids)]
        hyp_xyz = truth[gt_ids] + rng.normal(0, 0.015, (len(gt_ids), 3))
        frames.append(frame_from_positions(gt_ids, truth[gt_ids], hyp_ids, hyp_xyz, max_distance=0.05))
    gt_index = {0: 0, 1: 1, 2: 2}
    hyp_index = {10: 0, 11: 1, 12: 2, 13: 3}
    data = {
        "num_timesteps": len(frames),
        "num_gt_ids": 3,
        "num_tracker_ids": 4,
        "num_gt_dets": sum(len(f.gt_ids) for f in frames),
        "num_tracker_dets": sum(len(f.hyp_ids) for f in frames),
        "gt_ids": [np.array([gt_index[g] for g in f.gt_ids]) for f in frames],
        "tracker_ids": [np.array([hyp_index[h] for h in f.hyp_ids]) for f in frames],
        "similarity_scores": [f.similarity for f in frames],
    }
    reference = trackeval.metrics.HOTA({"PRINT_CONFIG": False}).eval_sequence(data)
    metrics = evaluate(frames)
    for key, ref_key in [("hota", "HOTA"), ("det_a", "DetA"), ("ass_a", "AssA"), ("loc_a", "LocA")]:
        assert getattr(metrics, key) == pytest.approx(float(np.mean(reference[ref_key])), abs=1e-9), key
    assert 0.2 < metrics.hota < 0.9


def test_perfect_and_empty_tracking():
    positions = np.array([[0.1, 0.2, 0.3], [0.5, 0.5, 0.0]])
    perfect = evaluate([frame_from_positions([1, 2], positions, ["a", "b"], positions, 0.05)] * 5)
    assert (perfect.mota, perfect.idf1, perfect.hota, perfect.motp, perfect.id_switches) == (1.0, 1.0, 1.0, 0.0, 0)
    nothing = evaluate([frame_from_positions([1, 2], positions, [], np.zeros((0, 3)), 0.05)] * 5)
    assert (nothing.mota, nothing.idf1, nothing.hota, nothing.misses) == (0.0, 0.0, 0.0, 10)

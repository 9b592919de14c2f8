"""Multi-object tracking metrics: CLEAR MOT (MOTA, MOTP, ID switches), IDF1, HOTA (DetA, AssA, LocA).

Definitions follow the established implementations, and tests check equal values against them:
- CLEAR MOT (Bernardin & Stiefelhagen 2008) as in `motmetrics`: per frame, first keep each ground-truth
  object's previous hypothesis if still within the threshold, then a Hungarian assignment of the rest
  (tracking.association.gated_assignment: the most pairs within the threshold, then the least total distance,
  as motmetrics); a match to a different hypothesis than the object's last one is an ID switch.
  MOTA = 1 − (FN + FP + IDSW)/GT; MOTP = mean distance of the matches.
- IDF1 (Ristani et al. 2016): one global one-to-one assignment of object ids to hypothesis ids
  maximising IDTP, the frames where the pair is present and within the threshold (a maximum-weight
  assignment, not a gated one: a pair never within the threshold weighs 0);
  IDF1 = 2·IDTP/(GT + hypotheses).
- HOTA (Luiten et al. 2021) as in `trackeval`: for α = 0.05, 0.10, …, 0.95, HOTA_α = √(DetA_α·AssA_α)
  with DetA_α = TP/(TP + FN + FP), AssA_α = mean over TPs of TPA/(TPA + FNA + FPA); reported values are
  the means over α.

Ignored ground truth (TrackEval's MOTChallenge distractors, KITTI's "don't care"): per frame, hypotheses
matched to an ignored object (Hungarian, maximum total similarity over the pairs allowed to match) are
removed, then the ignored objects; what remains is scored as above.

Distances and similarities per frame come from 2D boxes (distance 1 − IoU, similarity IoU, match if
IoU ≥ 0.5) or 3D positions (distance in metres, similarity max(0, 1 − d/d_max), match if d ≤ d_max).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TypedDict

import numpy as np

from nnfoundation.detection.matching import hungarian_match
from visuomotor.tracking.association import gated_assignment

HOTA_ALPHAS = np.arange(0.05, 0.99, 0.05)
EPS = np.finfo(float).eps
MOT_CHALLENGE_DISTRACTOR_CLASSES = (2, 7, 8, 12)  # person_on_vehicle, static_person, distractor, reflection


@dataclass
class MotFrame:
    """One frame: ground-truth ids (n,), hypothesis ids (m,), distance (n, m) (NaN: may not match),
    similarity (n, m) in [0, 1] for HOTA, ignored (n,) bool: ground truth that is neither scored nor
    counted against a hypothesis matched to it (None: none ignored)."""

    gt_ids: list[Hashable]
    hyp_ids: list[Hashable]
    distance: np.ndarray
    similarity: np.ndarray
    ignored: np.ndarray | None = None


@dataclass
class MotMetrics:
    """Totals over a sequence (or several). motp: mean matched distance (2D: 1 − IoU; 3D: metres)."""

    mota: float
    motp: float
    idf1: float
    idp: float
    idr: float
    id_switches: int
    false_positives: int
    misses: int
    matches: int
    num_gt: int
    num_hyp: int
    hota: float
    det_a: float
    ass_a: float
    loc_a: float

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def box_iou_xywh(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of boxes (n, 4) × (m, 4) given as [x, y, width, height] (MOTChallenge) → (n, m)."""
    a, b = np.asarray(a, float).reshape(-1, 4), np.asarray(b, float).reshape(-1, 4)
    lo = np.maximum(a[:, None, :2], b[None, :, :2])
    hi = np.minimum(a[:, None, :2] + a[:, None, 2:], b[None, :, :2] + b[None, :, 2:])
    intersection = np.prod(np.clip(hi - lo, 0.0, None), axis=-1)
    union = np.prod(a[:, 2:], axis=-1)[:, None] + np.prod(b[:, 2:], axis=-1)[None] - intersection
    return np.where(union > 0, intersection / np.where(union > 0, union, 1.0), 0.0)


def frame_from_boxes(gt_ids, gt_xywh, hyp_ids, hyp_xywh, min_iou: float = 0.5, ignored=None) -> MotFrame:
    """2D frame: distance 1 − IoU (NaN below min_iou, as motmetrics' iou_matrix), similarity IoU."""
    iou = box_iou_xywh(np.reshape(gt_xywh, (-1, 4)), np.reshape(hyp_xywh, (-1, 4)))
    distance = np.where(iou >= min_iou, 1.0 - iou, np.nan)
    return MotFrame(list(gt_ids), list(hyp_ids), distance, iou, ignored)


def frame_from_positions(gt_ids, gt_xyz, hyp_ids, hyp_xyz, max_distance: float, ignored=None) -> MotFrame:
    """3D frame: Euclidean distance (m; NaN beyond max_distance), similarity max(0, 1 − d/max_distance)."""
    gt_xyz, hyp_xyz = np.reshape(gt_xyz, (-1, 3)), np.reshape(hyp_xyz, (-1, 3))
    d = np.linalg.norm(gt_xyz[:, None] - hyp_xyz[None], axis=-1)
    return MotFrame(
        list(gt_ids),
        list(hyp_ids),
        np.where(d <= max_distance, d, np.nan),
        np.clip(1.0 - d / max_distance, 0.0, 1.0),
        ignored,
    )


def without_ignored(frame: MotFrame) -> MotFrame:
    """The frame with its ignored ground truth and the hypotheses matched to it removed (TrackEval's
    MotChallenge2DBox preprocessing: Hungarian on the similarities of the pairs allowed to match, over
    all ground truth; a hypothesis assigned to an ignored object is dropped)."""
    if frame.ignored is None or not np.any(frame.ignored):
        return frame
    ignored = np.asarray(frame.ignored, bool)
    shape = (len(frame.gt_ids), len(frame.hyp_ids))
    distance, similarity = np.reshape(frame.distance, shape), np.reshape(frame.similarity, shape)
    drop_hyp = np.zeros(shape[1], bool)
    if distance.size:
        score = np.where(np.isfinite(distance), similarity, 0.0)
        rows, cols = hungarian_match(score, maximize=True)
        matched = score[rows, cols] > EPS
        drop_hyp[cols[matched & ignored[rows]]] = True
    keep_gt, keep_hyp = ~ignored, ~drop_hyp
    return MotFrame(
        [g for g, k in zip(frame.gt_ids, keep_gt) if k],
        [h for h, k in zip(frame.hyp_ids, keep_hyp) if k],
        distance[np.ix_(keep_gt, keep_hyp)],
        similarity[np.ix_(keep_gt, keep_hyp)],
    )


def evaluate(frames: list[MotFrame]) -> MotMetrics:
    """All metrics of one sequence (ignored ground truth removed first, see without_ignored)."""
    frames = [without_ignored(f) for f in frames]
    clear = _clear_mot(frames)
    identity = _identity(frames)
    hota = _hota(frames)
    return MotMetrics(**clear, **identity, **hota)


class _ClearMot(TypedDict):
    mota: float
    motp: float
    id_switches: int
    false_positives: int
    misses: int
    matches: int
    num_gt: int
    num_hyp: int


class _Identity(TypedDict):
    idf1: float
    idp: float
    idr: float


class _Hota(TypedDict):
    hota: float
    det_a: float
    ass_a: float
    loc_a: float


def _clear_mot(frames: list[MotFrame]) -> _ClearMot:
    last_hyp: dict[Hashable, Hashable] = {}
    switches = false_positives = misses = matches = num_gt = num_hyp = 0
    distance_sum = 0.0
    for frame in frames:
        distance = np.array(frame.distance, dtype=float).reshape(len(frame.gt_ids), len(frame.hyp_ids))
        num_gt += len(frame.gt_ids)
        num_hyp += len(frame.hyp_ids)
        gt_done = np.zeros(len(frame.gt_ids), bool)
        hyp_done = np.zeros(len(frame.hyp_ids), bool)
        frame_matches = 0
        if distance.size:
            for i, gt in enumerate(frame.gt_ids):  # 1. keep established pairs
                if gt not in last_hyp:
                    continue
                same = np.flatnonzero(~hyp_done & np.array([h == last_hyp[gt] for h in frame.hyp_ids]))
                if same.size and np.isfinite(distance[i, same[0]]):
                    gt_done[i] = hyp_done[same[0]] = True
                    distance_sum += distance[i, same[0]]
                    frame_matches += 1
            free = distance.copy()  # 2. Hungarian on the rest
            free[gt_done, :] = np.nan
            free[:, hyp_done] = np.nan
            assignment = gated_assignment(free, np.isfinite(free))  # NaN: may not match
            for i, j in zip(assignment.rows, assignment.cols):
                gt, hyp = frame.gt_ids[i], frame.hyp_ids[j]
                switches += int(gt in last_hyp and last_hyp[gt] != hyp)
                last_hyp[gt] = hyp
                gt_done[i] = hyp_done[j] = True
                distance_sum += distance[i, j]
                frame_matches += 1
        matches += frame_matches
        misses += len(frame.gt_ids) - frame_matches
        false_positives += len(frame.hyp_ids) - frame_matches
    return {
        "mota": 1.0 - (misses + false_positives + switches) / num_gt if num_gt else float("nan"),
        "motp": distance_sum / matches if matches else float("nan"),
        "id_switches": switches,
        "false_positives": false_positives,
        "misses": misses,
        "matches": matches,
        "num_gt": num_gt,
        "num_hyp": num_hyp,
    }


def _index(ids_per_frame: list[list[Hashable]]) -> dict[Hashable, int]:
    index: dict[Hashable, int] = {}
    for ids in ids_per_frame:
        for key in ids:
            index.setdefault(key, len(index))
    return index


def _identity(frames: list[MotFrame]) -> _Identity:
    gt_index = _index([f.gt_ids for f in frames])
    hyp_index = _index([f.hyp_ids for f in frames])
    together = np.zeros((len(gt_index), len(hyp_index)))
    num_gt = sum(len(f.gt_ids) for f in frames)
    num_hyp = sum(len(f.hyp_ids) for f in frames)
    for frame in frames:
        rows, cols = np.nonzero(np.isfinite(np.reshape(frame.distance, (len(frame.gt_ids), len(frame.hyp_ids)))))
        np.add.at(together, ([gt_index[frame.gt_ids[r]] for r in rows], [hyp_index[frame.hyp_ids[c]] for c in cols]), 1)
    rows, cols = hungarian_match(together, maximize=True)
    idtp = float(together[rows, cols].sum())
    return {
        "idf1": 2 * idtp / (num_gt + num_hyp) if num_gt + num_hyp else float("nan"),
        "idp": idtp / num_hyp if num_hyp else float("nan"),
        "idr": idtp / num_gt if num_gt else float("nan"),
    }


def _hota(frames: list[MotFrame]) -> _Hota:
    """HOTA, DetA, AssA, LocA averaged over α (trackeval's HOTA.eval_sequence)."""
    gt_index = _index([f.gt_ids for f in frames])
    hyp_index = _index([f.hyp_ids for f in frames])
    num_gt = sum(len(f.gt_ids) for f in frames)
    num_hyp = sum(len(f.hyp_ids) for f in frames)
    alphas = len(HOTA_ALPHAS)
    if num_hyp == 0 or num_gt == 0:
        return {"hota": 0.0, "det_a": 0.0, "ass_a": 0.0, "loc_a": 1.0}
    gt_t = [np.array([gt_index[g] for g in f.gt_ids], dtype=int) for f in frames]
    hyp_t = [np.array([hyp_index[h] for h in f.hyp_ids], dtype=int) for f in frames]
    sims = [np.reshape(f.similarity, (len(f.gt_ids), len(f.hyp_ids))) for f in frames]
    potential = np.zeros((len(gt_index), len(hyp_index)))
    gt_count = np.zeros((len(gt_index), 1))
    hyp_count = np.zeros((1, len(hyp_index)))
    for g, h, s in zip(gt_t, hyp_t, sims):
        denom = s.sum(0)[None, :] + s.sum(1)[:, None] - s
        sim_iou = np.zeros_like(s)
        mask = denom > 0 + EPS
        sim_iou[mask] = s[mask] / denom[mask]
        potential[g[:, None], h[None, :]] += sim_iou
        gt_count[g] += 1
        hyp_count[0, h] += 1
    alignment = potential / (gt_count + hyp_count - potential)
    match_counts = np.zeros((alphas, len(gt_index), len(hyp_index)))
    tp, fn, fp, loc = (np.zeros(alphas) for _ in range(4))
    for g, h, s in zip(gt_t, hyp_t, sims):
        if len(g) == 0 or len(h) == 0:
            fp += len(h)
            fn += len(g)
            continue
        rows, cols = hungarian_match(alignment[g[:, None], h[None, :]] * s, maximize=True)
        for a, alpha in enumerate(HOTA_ALPHAS):
            ok = s[rows, cols] >= alpha - EPS
            count = int(ok.sum())
            tp[a] += count
            fn[a] += len(g) - count
            fp[a] += len(h) - count
            if count:
                loc[a] += s[rows[ok], cols[ok]].sum()
                match_counts[a, g[rows[ok]], h[cols[ok]]] += 1
    ass_a = np.array([np.sum(m * (m / np.maximum(1, gt_count + hyp_count - m))) for m in match_counts]) / np.maximum(
        1, tp
    )
    det_a = tp / np.maximum(1, tp + fn + fp)
    loc_a = np.maximum(1e-10, loc) / np.maximum(1e-10, tp)
    return {
        "hota": float(np.mean(np.sqrt(det_a * ass_a))),
        "det_a": float(det_a.mean()),
        "ass_a": float(ass_a.mean()),
        "loc_a": float(loc_a.mean()),
    }


MotRow = tuple[int, np.ndarray, int]  # (id, xywh, class)


def load_mot_challenge(path: str | Path, min_confidence: float | None = None) -> dict[int, list[MotRow]]:
    """Read a MOTChallenge text file (frame, id, x, y, w, h, conf, class, …; frames from 1) → frame →
    [(id, xywh, class)] (class −1 where the file has no class column, as tracker files).

    min_confidence: drop rows with conf below it (ground truth: 1 keeps only the rows to evaluate).
    """
    data = np.loadtxt(path, delimiter=",", ndmin=2)
    if data.size and data.shape[1] < 7:
        raise ValueError(
            f"{path}: MOTChallenge rows need ≥ 7 columns (frame, id, x, y, w, h, conf), got {data.shape[1]}"
        )
    by_frame: dict[int, list[MotRow]] = {}
    for row in data:
        if min_confidence is not None and row[6] < min_confidence:
            continue
        class_id = int(row[7]) if row.size > 7 else -1
        by_frame.setdefault(int(row[0]), []).append((int(row[1]), row[2:6].copy(), class_id))
    return by_frame


def frames_from_mot_challenge(
    gt: dict[int, list],
    hyp: dict[int, list],
    min_iou: float = 0.5,
    ignored_classes: tuple[int, ...] = MOT_CHALLENGE_DISTRACTOR_CLASSES,
) -> list[MotFrame]:
    """2D MotFrames for every frame from 1 to the last frame of either file; ground truth of
    ignored_classes (MOT17's distractors by default) is ignored."""
    last = max([*gt, *hyp], default=0)
    frames = []
    for t in range(1, last + 1):
        g, h = gt.get(t, []), hyp.get(t, [])
        frames.append(
            frame_from_boxes(
                [i for i, _, _ in g],
                [b for _, b, _ in g],
                [i for i, _, _ in h],
                [b for _, b, _ in h],
                min_iou,
                ignored=[c in ignored_classes for _, _, c in g],
            )
        )
    return frames

"""Plots (matplotlib, Agg) and report.md of a bag replay evaluation, written into one directory:
latency.png (per-stage latency per frame), error_3d.png (3D error histogram and CDF),
track_count.png (confirmed tracks vs labelled ground-truth objects per frame), report.md."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from visuomotor.eval.bag.replay import ReplayOutcome


def write_plots(outcome: ReplayOutcome, out_dir: Path) -> list[Path]:
    """The three figures; returns their paths."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    frames = outcome.frames
    seconds = (np.array([f.stamp_ns for f in frames]) - frames[0].stamp_ns) / 1e9
    paths = []

    figure, axis = plt.subplots(figsize=(8, 4))
    for stage in outcome.summary["latency_ms"]:
        axis.plot(seconds, [f.stage_ms[stage] for f in frames], marker=".", label=stage)
    axis.set(xlabel="bag time (s)", ylabel="ms", yscale="log", title="latency per stage and frame")
    axis.legend(fontsize="small")
    paths.append(_save(figure, out_dir / "latency.png"))

    figure, (histogram, cdf) = plt.subplots(1, 2, figsize=(9, 4))
    errors_mm = np.sort(outcome.errors_m) * 1000
    if errors_mm.size:
        histogram.hist(errors_mm, bins=min(40, max(5, errors_mm.size // 5)))
        cdf.plot(errors_mm, np.arange(1, errors_mm.size + 1) / errors_mm.size)
    histogram.set(xlabel="3D error (mm)", ylabel="matched objects", title=f"3D error (n = {errors_mm.size})")
    cdf.set(xlabel="3D error (mm)", ylabel="fraction ≤ x", title="3D error CDF", ylim=(0, 1.02))
    paths.append(_save(figure, out_dir / "error_3d.png"))

    figure, axis = plt.subplots(figsize=(8, 4))
    axis.step(seconds, [f.ground_truth for f in frames], where="mid", label="labelled ground truth")
    axis.step(seconds, [f.tracks for f in frames], where="mid", label="confirmed tracks")
    axis.step(seconds, [f.detections for f in frames], where="mid", label="detections", alpha=0.6)
    axis.set(xlabel="bag time (s)", ylabel="count", title="objects per frame")
    axis.legend(fontsize="small")
    paths.append(_save(figure, out_dir / "track_count.png"))
    return paths


def _save(figure, path: Path) -> Path:
    from matplotlib import pyplot as plt

    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)
    return path


def write_report(outcome: ReplayOutcome, out_dir: Path, plots: list[Path]) -> Path:
    """report.md: the numbers of the summary as tables, the read status and the plots."""
    s = outcome.summary
    lines = [
        f"# Replay evaluation of `{s['bag']}`",
        "",
        f"{s['frames']} frames, detections from **{s['detections_source']}**"
        + (
            f" ({s['detector']['backend']} `{s['detector']['weights']}`, confidence {s['detector']['confidence']})"
            if s["detector"]
            else ""
        )
        + f"; {s['wall_time_s']} s wall ({s['frames_per_s']} frames/s).",
        "",
    ]
    if s["truncated"]:
        lines += [f"**Warning: truncated bag** — metrics cover the readable prefix. {s['warning']}", ""]
    lines += ["| group | metric | value |", "|---|---|---|"]
    for group in ("detection", "localization", "tracking"):
        lines += [f"| {group} | {key} | {value} |" for key, value in s[group].items()]
    lines += ["", "| stage | n | p50 ms | p95 ms | p99 ms | mean ms | max ms |", "|---|---|---|---|---|---|---|"]
    lines += [
        f"| {stage} | {q['n']} | {q['p50_ms']} | {q['p95_ms']} | {q['p99_ms']} | {q['mean_ms']} | {q['max_ms']} |"
        for stage, q in s["latency_ms"].items()
    ]
    lines += [
        "",
        f"Read status: incomplete stamps {s['incomplete_stamps']}, out-of-order frames "
        f"{s['out_of_order_frames']}, frames without extrinsics {s['frames_without_extrinsics']}.",
        "",
    ]
    lines += [f"![{path.stem}]({path.name})" for path in plots]
    path = out_dir / "report.md"
    path.write_text("\n".join(lines) + "\n")
    return path

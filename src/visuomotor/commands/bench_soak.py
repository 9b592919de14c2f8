"""`visuomotor bench soak --minutes 30 --json`: run pick-and-place episodes on the multi-process sim graph
for a while and check it does not degrade: resident memory of every node process (first vs last
sample), glass-to-command latency of the first vs the last third of the episodes (statistics.latency_summary
of their pooled samples), crashes.

Verdict (in the JSON with its thresholds; exit code 1 unless it passes):
    no crash                      no node process died, respawned or not
    memory growth ≤ 2 %           max over nodes of 100 · (RSS_last − RSS_first) / RSS_first
    latency drift ≤ 10 %          100 · (p50_last_third − p50_first_third) / p50_first_third of glass-to-command
                                  (getting faster is no failure)
"""

from __future__ import annotations

import argparse
from datetime import datetime, timezone
from pathlib import Path

from visuomotor.commands import Command, add_json_flag, emit_result
from visuomotor.commands.demo import DEMO_SEED_START
from visuomotor.errors import UserError
from visuomotor.statistics import latency_summary

MAX_RSS_GROWTH_PERCENT = 2.0
MAX_LATENCY_DRIFT_PERCENT = 10.0


def rss_mb(pid: int) -> float:
    """Resident set size of a process, MB (from /proc; 0 when it has exited)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--minutes", type=float, default=30.0, help="how long to run (default 30)")
    parser.add_argument("--out", type=Path, default=None, help="report folder (default reports/soak-<time>)")
    add_json_flag(parser)


def run(args: argparse.Namespace) -> int:
    if args.minutes <= 0:
        raise UserError(f"--minutes {args.minutes}: give a positive duration")
    out = args.out or Path("reports") / f"soak-{datetime.now(timezone.utc):%Y%m%d-%H%M%S}"
    log = (lambda line: None) if args.json else (lambda line: print(line, flush=True))
    samples: list[dict[str, float]] = []
    command_ms: list[list[float]] = []  # per episode

    def sample(group, record) -> None:
        samples.append({name: rss_mb(p.pid) for name, p in group.processes.items()})
        command_ms.append(list(record.latency_ms["command"]))

    from visuomotor.harness.demo_session import SessionConfig, run_session

    config = SessionConfig(out, DEMO_SEED_START, episodes=1, record_bag=False, until_s=60.0 * args.minutes)
    summary = run_session(config, log, after_episode=sample)
    first, last = samples[0], samples[-1]
    growth = {name: round(100.0 * (last[name] - first[name]) / first[name], 2) for name in first if first[name] > 0}
    third = max(1, len(command_ms) // 3)
    early = latency_summary(v for episode in command_ms[:third] for v in episode)
    late = latency_summary(v for episode in command_ms[-third:] for v in episode)
    max_growth = max(growth.values()) if growth else None
    drift = latency_drift_percent(early["p50_ms"], late["p50_ms"])
    verdict = {
        "no_crash": not summary["crashes"],
        "memory_growth_ok": max_growth is not None and max_growth <= MAX_RSS_GROWTH_PERCENT,
        "latency_drift_ok": drift is not None and drift <= MAX_LATENCY_DRIFT_PERCENT,
    }
    result = {
        "minutes": args.minutes,
        "episodes": summary["episodes"],
        "success_rate": summary["success_rate"],
        "success_wilson_95": summary["success_wilson_95"],
        "crashes": summary["crashes"],
        "rss_mb_first": first,
        "rss_mb_last": last,
        "rss_growth_percent": growth,
        "max_rss_growth_percent": max_growth,
        "glass_to_command_ms_first_third": early,
        "glass_to_command_ms_last_third": late,
        "latency_drift_percent": drift,
        "thresholds": {
            "max_rss_growth_percent": MAX_RSS_GROWTH_PERCENT,
            "max_latency_drift_percent": MAX_LATENCY_DRIFT_PERCENT,
        },
        "verdict": {**verdict, "passed": all(verdict.values())},
        "report": summary["report"],
    }
    emit_result(result, args.json)
    return 0 if result["verdict"]["passed"] else 1


def latency_drift_percent(first_p50_ms: float | None, last_p50_ms: float | None) -> float | None:
    """100 · (last − first) / first, 2 decimals; None without samples in either third."""
    if first_p50_ms is None or last_p50_ms is None or first_p50_ms <= 0:
        return None
    return round(100.0 * (last_p50_ms - first_p50_ms) / first_p50_ms, 2)


COMMANDS = [
    Command(
        "bench",
        "soak",
        "run the graph for minutes; memory growth ≤ 2 %, latency drift ≤ 10 %, no crash",
        add_arguments,
        run,
    )
]

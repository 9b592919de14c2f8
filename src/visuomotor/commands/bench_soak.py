"""`visuomotor bench soak --minutes 10 --json`: run pick-and-place episodes on the multi-process sim graph
for a while and check it does not degrade: resident memory of every node process (first vs last
sample), glass-to-command latency of the first vs the last third of the episodes (statistics.latency_summary
of their pooled samples), crashes."""

from __future__ import annotations

import argparse
from datetime import datetime, timezone
from pathlib import Path

from visuomotor.commands import Command, add_json_flag, emit_result
from visuomotor.commands.demo import DEMO_SEED_START
from visuomotor.errors import UserError
from visuomotor.statistics import latency_summary


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
    parser.add_argument("--minutes", type=float, default=10.0, help="how long to run (default 10)")
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
    result = {
        "minutes": args.minutes,
        "episodes": summary["episodes"],
        "success_rate": summary["success_rate"],
        "success_wilson_95": summary["success_wilson_95"],
        "crashes": summary["crashes"],
        "rss_mb_first": first,
        "rss_mb_last": last,
        "rss_growth_percent": growth,
        "max_rss_growth_percent": max(growth.values()) if growth else None,
        "glass_to_command_ms_first_third": latency_summary(v for episode in command_ms[:third] for v in episode),
        "glass_to_command_ms_last_third": latency_summary(v for episode in command_ms[-third:] for v in episode),
        "report": summary["report"],
    }
    emit_result(result, args.json)
    return 0 if not summary["crashes"] else 1


COMMANDS = [
    Command("bench", "soak", "run the graph for minutes; memory growth, latency drift, crashes", add_arguments, run)
]

"""Evaluation against ground truth, by concern: `bag` (replaying recorded bags), `tracking` (localization and
MOT metrics on simulated sequences), `demo` (the demo's records and report) and `expert` (the scripted expert)."""

"""The demo's per-episode records, summary and report folder."""

"""Replay of recorded bags through detection → localization → tracking, scored against the recorded ground truth."""

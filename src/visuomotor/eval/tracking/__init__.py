"""3D localization error and MOT metrics (CLEAR MOT, IDF1, HOTA) on simulated sequences."""

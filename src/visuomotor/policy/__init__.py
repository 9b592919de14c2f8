"""ACT policy (Zhao et al. 2023): model, action schedules, demonstrations dataset, training, closed loop."""

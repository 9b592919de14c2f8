"""Classical learning algorithms: the perceptron (seed 004 ch. 2) and PCA (seed 000/002 §6)."""

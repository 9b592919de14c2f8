"""nnfoundation: a from-scratch deep-learning library (NumPy, SciPy) implementing the seed documents."""

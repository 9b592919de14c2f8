"""nnfoundation: a from-scratch deep-learning library (NumPy, SciPy) implementing the seed documents.

Core: `Tensor` (reverse-mode autodiff, seed 004 ch. 10), `nnfoundation.functional as F`,
`nnfoundation.nn` modules, `nnfoundation.optim`, `nnfoundation.init`.
"""

from nnfoundation.ops import concat, einsum, maximum, minimum, stack, where
from nnfoundation.tensor import Tensor, is_grad_enabled, no_grad, tensor

__all__ = ["Tensor", "concat", "einsum", "is_grad_enabled", "maximum", "minimum", "no_grad", "stack", "tensor", "where"]

"""Sums along a row that do not depend on how many rows there are.

numpy's own sums and BLAS's matrix products pick the order in which they add
a row's terms by the array's shape (pairwise, eight lanes, a separate kernel
for the leftover rows of a block).  Floating-point addition is not
associative, so a row's score would then differ in the last bit with the
batch it came in: alone, in a chunk of 3 or of 4,096 (with OpenBLAS 0.3.31 a
score of 47.5 came out as 47.49999999999999 in a batch of three rows).  Here
every row is added left to right, one column at a time.
"""

from __future__ import annotations

import numpy as np

__all__ = ["row_sums", "weighted_mean"]


def row_sums(values: np.ndarray) -> np.ndarray:
    """(n,): each row of ``values`` (n, k) summed left to right."""
    out = np.zeros(values.shape[0])
    for j in range(values.shape[1]):
        out += values[:, j]
    return out


def weighted_mean(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Row-wise weighted mean ignoring NaN; NaN where no value is defined."""
    defined = ~np.isnan(values)
    total = row_sums(defined * weights)
    num = row_sums(np.where(defined, values, 0.0) * weights)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, num / np.where(total > 0, total, 1.0), np.nan)

"""`BlasOps`: thinc's NumpyOps with matrix products done by numpy (OpenBLAS) instead of blis.

On this project's CPU the products of tok2vec and spancat are most of the time of a sentence,
and numpy's OpenBLAS does them 2–3× faster than blis (`python -m ie bench` measures both).
The weights and every other operation are the same, so a pipeline gives the same entities
either way (up to float rounding). Registered as thinc ops "blas"; models take their ops when
they are built, so choose them before `spacy.load`:

    from thinc.api import get_ops, set_current_ops
    set_current_ops(get_ops("blas"))
    nlp = spacy.load(DEFAULT_MODEL)
"""

from __future__ import annotations

import numpy
from thinc.api import NumpyOps, registry
from thinc.types import Floats2d


@registry.ops("BlasOps")
class BlasOps(NumpyOps):
    name = "blas"

    def gemm(
        self,
        x: Floats2d,
        y: Floats2d,
        out: Floats2d | None = None,
        trans1: bool = False,
        trans2: bool = False,
    ) -> Floats2d:
        """x @ y (each optionally transposed) by numpy's BLAS, into `out` if given."""
        a = x.T if trans1 else x
        b = y.T if trans2 else y
        if out is None:
            return numpy.matmul(a, b)
        return numpy.matmul(a, b, out=out)

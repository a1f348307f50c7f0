"""`BlasOps`: thinc's NumpyOps with matrix products done by numpy (OpenBLAS) instead of blis,
and Mish by numpy's whole-array functions instead of NumpyOps' element loop (15 times slower
here on a batch of tok2vec rows: it would eat what a Mish encoder saves in products).

On this project's CPU the products of tok2vec and spancat are most of the time of a sentence,
and numpy's OpenBLAS does them 2–3× faster than blis (`python -m ie bench` measures both).
The weights and every other operation are the same, so a pipeline gives the same entities
either way (up to float rounding). Registered as thinc ops "blas"; models take their ops when
they are built, so choose them before `spacy.load`:

    from ie.ops import use_blas_ops
    use_blas_ops()
    nlp = spacy.load(DEFAULT_MODEL)

OpenBLAS would use every core for one process; `use_blas_ops` keeps it to one thread, so a
process is a core and `--n-process N` scales without threads fighting over the cores.
Training takes the same path (`blas_ops`), about 1.4× faster, so that folds of the bench that
run side by side each keep to their own core too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy
from thinc.api import NumpyOps, Ops, registry, set_current_ops, use_ops
from thinc.types import Floats2d, FloatsXd


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

    def mish(self, X: FloatsXd, threshold: float = 20.0, inplace: bool = False) -> FloatsXd:
        """x · tanh(softplus(x)), x itself from `threshold` up: thinc's array version."""
        return Ops.mish(self, X, threshold=threshold, inplace=inplace)


def use_blas_ops() -> None:
    """Make BlasOps the current ops, with numpy's BLAS on one thread (this process's)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")
    set_current_ops(BlasOps())


@contextmanager
def blas_ops() -> Iterator[None]:
    """BlasOps on one BLAS thread for the models built inside the block; the caller's ops and
    thread limits come back after it (training is a library call, not a process of its own)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"), use_ops(BlasOps.name):
        yield

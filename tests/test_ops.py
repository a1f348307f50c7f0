"""BlasOps: the matrix products and Mish by numpy, everything else thinc's NumpyOps."""

from __future__ import annotations

import numpy
import pytest
from thinc.api import NumpyOps, get_ops

from ie.ops import BlasOps


@pytest.mark.parametrize(("trans1", "trans2"), [(False, False), (True, False), (False, True)])
def test_gemm_agrees_with_blis(trans1: bool, trans2: bool) -> None:
    rng = numpy.random.default_rng(0)
    x = rng.normal(size=(7, 5) if not trans1 else (5, 7)).astype("f")
    y = rng.normal(size=(5, 3) if not trans2 else (3, 5)).astype("f")
    expected = NumpyOps().gemm(x, y, trans1=trans1, trans2=trans2)
    got = BlasOps().gemm(x, y, trans1=trans1, trans2=trans2)
    numpy.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    out = numpy.zeros_like(expected)
    assert BlasOps().gemm(x, y, out=out, trans1=trans1, trans2=trans2) is out
    numpy.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("inplace", [False, True])
def test_mish_agrees_with_numpy_ops(inplace: bool) -> None:
    # Both sides of the threshold, where the array version switches to x itself.
    x = numpy.linspace(-30, 30, 241, dtype="f").reshape(-1, 1) * numpy.ones((1, 3), dtype="f")
    expected = NumpyOps().mish(x.copy())
    got = BlasOps().mish(x.copy() if not inplace else x, inplace=inplace)
    numpy.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    assert got.dtype == x.dtype
    assert (got is x) == inplace


def test_registered_as_blas() -> None:
    assert isinstance(get_ops("blas"), BlasOps)


def test_use_blas_ops_makes_a_process_one_core() -> None:
    from thinc.api import get_current_ops, set_current_ops
    from threadpoolctl import threadpool_info, threadpool_limits

    from ie.ops import use_blas_ops

    before = get_current_ops()
    with threadpool_limits(limits=None):  # put the thread counts back afterwards
        try:
            use_blas_ops()
            assert isinstance(get_current_ops(), BlasOps)
            blas = [p for p in threadpool_info() if p["user_api"] == "blas"]
            assert blas and all(p["num_threads"] == 1 for p in blas)
        finally:
            set_current_ops(before)


def test_blas_ops_is_scoped_to_the_block() -> None:
    from thinc.api import Linear, get_current_ops
    from threadpoolctl import threadpool_info

    from ie.ops import blas_ops

    def blas_threads() -> list[int]:
        return [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]

    before, threads = get_current_ops(), blas_threads()
    with blas_ops():
        assert isinstance(Linear(3, 2).ops, BlasOps)  # models built inside take it
        assert all(n == 1 for n in blas_threads())
    assert get_current_ops() is before
    assert blas_threads() == threads

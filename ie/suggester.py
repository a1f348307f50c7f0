"""`ie.clause_ngram_suggester.v1`: spancat's n-grams, less those no entity can be.

No entity of the scheme crosses a clause mark (，,；;：:。) or splits a pair of quotation
marks or brackets (`ie.schema.span_problem`; the validator holds every corpus to it), so
spancat need not score those candidates. On report text this removes about half of them,
which is time and memory in both training and prediction, and wrong spans it cannot make.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Ops, get_current_ops
from thinc.types import Ragged

from ie.schema import CLAUSE_MARKS, QUOTE_PAIRS, span_problem

_PAIR_CHARS = frozenset(QUOTE_PAIRS) | frozenset(QUOTE_PAIRS.values())


def _doc_spans(doc: Doc, sizes: list[int]) -> numpy.ndarray:
    """(start, end) token pairs of every allowed n-gram of `doc`, by size then start."""
    words = [t.text for t in doc]
    n = len(words)
    clause = numpy.zeros(n + 1, dtype="i")
    clause[1:] = numpy.cumsum([any(c in CLAUSE_MARKS for c in w) for w in words])
    paired = numpy.zeros(n + 1, dtype="i")
    paired[1:] = numpy.cumsum([any(c in _PAIR_CHARS for c in w) for w in words])
    out = []
    for size in sizes:
        if size > n:
            continue
        starts = numpy.arange(n - size + 1, dtype="i")
        ends = starts + size
        keep = clause[ends] == clause[starts]
        pairs = keep & (paired[ends] > paired[starts])
        for k in numpy.flatnonzero(pairs):  # rare: check the pairs by hand
            keep[k] = span_problem("".join(words[starts[k] : ends[k]])) is None
        out.append(numpy.stack([starts[keep], ends[keep]], axis=1))
    return numpy.concatenate(out) if out else numpy.zeros((0, 2), dtype="i")


def clause_ngram_suggester(
    docs: Iterable[Doc], sizes: list[int], *, ops: Ops | None = None
) -> Ragged:
    """Like spaCy's `ngram_suggester`, keeping only n-grams inside one clause and one pair."""
    ops = ops or get_current_ops()
    spans = [_doc_spans(doc, sizes) for doc in docs]
    lengths = ops.asarray1i([len(s) for s in spans])
    data = numpy.concatenate(spans) if spans else numpy.zeros((0, 2), dtype="i")
    return Ragged(ops.asarray2i(data.astype("i")), lengths)


@registry.misc("ie.clause_ngram_suggester.v1")
def build_clause_ngram_suggester(min_size: int, max_size: int) -> Callable[..., Ragged]:
    """N-grams of `min_size` to `max_size` tokens that cross no clause mark or quote pair."""
    sizes = list(range(min_size, max_size + 1))

    def suggest(docs: Iterable[Doc], *, ops: Ops | None = None) -> Ragged:
        return clause_ngram_suggester(docs, sizes, ops=ops)

    return suggest

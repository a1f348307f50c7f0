"""`ie.clause_ngram_suggester.v1`: spancat's n-grams, less those no entity can be.

No entity of the scheme crosses a clause mark (，,；;：:。) or splits a pair of quotation
marks or brackets (`ie.schema.span_problem`; the validator holds every corpus to it), so
spancat need not score those candidates. On report text this removes about half of them,
which is time and memory in both training and prediction, and wrong spans it cannot make.

With `candidates_key`, the n-grams are only those a `span_finder` earlier in the pipeline put
in `doc.spans[candidates_key]`, under the same rule: spancat then scores a dozen spans a
sentence instead of hundreds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache

import numpy
from spacy.attrs import ORTH
from spacy.strings import StringStore
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Ops, get_current_ops
from thinc.types import Ragged

from ie.schema import CLAUSE_MARKS, QUOTE_PAIRS, span_problem

_PAIR_CHARS = frozenset(QUOTE_PAIRS) | frozenset(QUOTE_PAIRS.values())


@lru_cache(maxsize=1 << 16)
def _marks(orth: int, strings: StringStore) -> tuple[bool, bool]:
    """Whether the token string `orth` holds a clause mark, and a quote or bracket: the same
    for a token wherever it is, so each distinct token is read once (bounded cache)."""
    word = strings[orth]
    return not CLAUSE_MARKS.isdisjoint(word), not _PAIR_CHARS.isdisjoint(word)


def _mark_counts(doc: Doc, orths: list[int]) -> tuple[numpy.ndarray, numpy.ndarray]:
    """Running counts (length len(doc) + 1) of tokens holding a clause mark and of tokens
    holding a quote or bracket: one lookup per token by its ORTH, not `doc.text` or a walk
    over the Doc's tokens (building Token objects is the slow part of suggesting)."""
    flags = numpy.zeros((len(orths) + 1, 2), dtype="i")
    if orths:
        flags[1:] = [_marks(orth, doc.vocab.strings) for orth in orths]
    counts = numpy.cumsum(flags, axis=0)
    return counts[:, 0], counts[:, 1]


def _grid(n: int, sizes: list[int]) -> tuple[numpy.ndarray, numpy.ndarray]:
    """(starts, ends) of every n-gram of the given sizes in n tokens, by size then start, as
    one (size × start) grid."""
    lengths = numpy.asarray([size for size in sizes if size <= n], dtype="i")
    starts = numpy.broadcast_to(numpy.arange(n, dtype="i"), (len(lengths), n))
    ends = starts + lengths[:, None]
    inside = ends <= n
    return starts[inside], ends[inside]  # row-major: by size, then start


def _preset(doc: Doc, key: str, sizes: list[int]) -> tuple[numpy.ndarray, numpy.ndarray]:
    """(starts, ends) of the spans in `doc.spans[key]` whose length is one of `sizes`."""
    group = doc.spans.get(key, [])
    pairs = numpy.asarray([(s.start, s.end) for s in group], dtype="i").reshape(-1, 2)
    allowed = numpy.zeros(max(sizes, default=0) + 2, dtype=bool)  # by length; longer: False
    allowed[sizes] = True
    pairs = pairs[allowed[numpy.minimum(pairs[:, 1] - pairs[:, 0], len(allowed) - 1)]]
    return pairs[:, 0], pairs[:, 1]


def _doc_spans(doc: Doc, sizes: list[int], candidates_key: str | None = None) -> numpy.ndarray:
    """(start, end) token pairs of every allowed candidate of `doc`: all n-grams of `sizes`,
    or those in `doc.spans[candidates_key]`."""
    if candidates_key is None:
        starts, ends = _grid(len(doc), sizes)
    else:
        starts, ends = _preset(doc, candidates_key, sizes)
    orths = doc.to_array(ORTH).tolist()
    clause, paired = _mark_counts(doc, orths)
    keep = clause[ends] == clause[starts]
    check = numpy.flatnonzero(keep & (paired[ends] > paired[starts]))  # quotes: by hand
    if len(check):
        words = [doc.vocab.strings[orth] for orth in orths]
        for k in check:
            keep[k] = span_problem("".join(words[starts[k] : ends[k]])) is None
    return numpy.stack([starts[keep], ends[keep]], axis=1)


def clause_ngram_suggester(
    docs: Iterable[Doc],
    sizes: list[int],
    *,
    candidates_key: str | None = None,
    ops: Ops | None = None,
) -> Ragged:
    """Like spaCy's `ngram_suggester`, keeping only n-grams inside one clause and one pair
    (and, with `candidates_key`, only those a span_finder proposed)."""
    ops = ops or get_current_ops()
    spans = [_doc_spans(doc, sizes, candidates_key) for doc in docs]
    lengths = ops.asarray1i([len(s) for s in spans])
    data = numpy.concatenate(spans) if spans else numpy.zeros((0, 2), dtype="i")
    return Ragged(ops.asarray2i(data.astype("i")), lengths)


@registry.misc("ie.clause_ngram_suggester.v1")
def build_clause_ngram_suggester(
    min_size: int, max_size: int, candidates_key: str | None = None
) -> Callable[..., Ragged]:
    """N-grams of `min_size` to `max_size` tokens that cross no clause mark or quote pair;
    with `candidates_key`, only those among the spans a span_finder put in that group."""
    sizes = list(range(min_size, max_size + 1))

    def suggest(docs: Iterable[Doc], *, ops: Ops | None = None) -> Ragged:
        return clause_ngram_suggester(docs, sizes, candidates_key=candidates_key, ops=ops)

    return suggest

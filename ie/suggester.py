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

from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

import numpy
from spacy.attrs import LENGTH, ORTH
from spacy.strings import get_string_id
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Ops, get_current_ops
from thinc.types import Ragged

from ie.schema import CLAUSE_MARKS, QUOTE_PAIRS, span_problem

_PAIR_CHARS = frozenset(QUOTE_PAIRS) | frozenset(QUOTE_PAIRS.values())
# Hashes of the one-character tokens that are a clause mark, or a quote or bracket: a character
# tokenizer's tokens are then read by their ORTH alone, in one array operation a batch.
_CLAUSE_IDS = numpy.asarray(sorted(get_string_id(c) for c in CLAUSE_MARKS), dtype="uint64")
_PAIR_IDS = numpy.asarray(sorted(get_string_id(c) for c in _PAIR_CHARS), dtype="uint64")


@lru_cache(maxsize=1 << 16)
def _marks(word: str) -> tuple[bool, bool]:
    """Whether a token of several characters (a word tokenizer's) holds a clause mark, and a
    quote or bracket: the same wherever it is, so each distinct word is read once (bounded)."""
    return not CLAUSE_MARKS.isdisjoint(word), not _PAIR_CHARS.isdisjoint(word)


def _mark_counts(docs: Sequence[Doc]) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    """Over the batch's tokens end to end: running counts (length n_tokens + 1) of tokens
    holding a clause mark and of tokens holding a quote or bracket, and the tokens' ORTHs.
    From token attributes, not `doc.text` or Token objects (the slow part of suggesting)."""
    table = numpy.concatenate(
        [numpy.zeros((0, 2), dtype="uint64")]
        + [doc.to_array([ORTH, LENGTH]).reshape(-1, 2) for doc in docs]
    )
    orths = table[:, 0]
    flags = numpy.zeros((len(orths) + 1, 2), dtype="i")
    flags[1:, 0] = numpy.isin(orths, _CLAUSE_IDS)
    flags[1:, 1] = numpy.isin(orths, _PAIR_IDS)
    for i in numpy.flatnonzero(table[:, 1] > 1).tolist():
        flags[i + 1] = _marks(docs[0].vocab.strings[orths[i]])
    counts = numpy.cumsum(flags, axis=0)
    return counts[:, 0], counts[:, 1], orths


def _grid(n: int, sizes: list[int]) -> tuple[numpy.ndarray, numpy.ndarray]:
    """(starts, ends) of every n-gram of the given sizes in n tokens, by size then start, as
    one (size × start) grid."""
    lengths = numpy.asarray([size for size in sizes if size <= n], dtype="i")
    starts = numpy.broadcast_to(numpy.arange(n, dtype="i"), (len(lengths), n))
    ends = starts + lengths[:, None]
    inside = ends <= n
    return starts[inside], ends[inside]  # row-major: by size, then start


def _preset(doc: Doc, key: str) -> tuple[numpy.ndarray, numpy.ndarray]:
    """(starts, ends) of the spans in `doc.spans[key]`."""
    group = doc.spans.get(key, [])
    pairs = numpy.asarray([(s.start, s.end) for s in group], dtype="i").reshape(-1, 2)
    return pairs[:, 0], pairs[:, 1]


def clause_ngram_suggester(
    docs: Iterable[Doc],
    sizes: list[int],
    *,
    candidates_key: str | None = None,
    ops: Ops | None = None,
) -> Ragged:
    """Like spaCy's `ngram_suggester`, keeping only n-grams inside one clause and one pair
    (and, with `candidates_key`, only those a span_finder proposed). The whole batch is
    checked at once, on token indices running across its Docs."""
    ops = ops or get_current_ops()
    docs = list(docs)
    if candidates_key is None:
        pairs = [_grid(len(doc), sizes) for doc in docs]
    else:
        pairs = [_preset(doc, candidates_key) for doc in docs]
    starts = numpy.concatenate([numpy.zeros(0, dtype="i")] + [s for s, _ in pairs])
    ends = numpy.concatenate([numpy.zeros(0, dtype="i")] + [e for _, e in pairs])
    which = numpy.repeat(numpy.arange(len(docs)), [len(s) for s, _ in pairs])
    first_token = numpy.cumsum([0] + [len(doc) for doc in docs], dtype="int64")
    begin, end = starts + first_token[which], ends + first_token[which]
    clause, paired, orths = _mark_counts(docs)
    allowed = numpy.zeros(max(sizes, default=0) + 2, dtype=bool)  # by length; longer: False
    allowed[sizes] = True
    keep = allowed[numpy.minimum(ends - starts, len(allowed) - 1)] & (clause[end] == clause[begin])
    for k in numpy.flatnonzero(keep & (paired[end] > paired[begin])).tolist():  # quotes
        words = [docs[0].vocab.strings[orth] for orth in orths[begin[k] : end[k]].tolist()]
        keep[k] = span_problem("".join(words)) is None
    lengths = numpy.bincount(which[keep], minlength=len(docs))
    data = numpy.stack([starts[keep], ends[keep]], axis=1)
    return Ragged(ops.asarray2i(data), ops.asarray1i(lengths))


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

"""The relation model: candidate pairs, their features, and the registered architecture.

A candidate is a (head, child) pair of entities in one sentence, made by a registered generator
(by default an INDICATOR or PROJECT head and an AMOUNT or PERCENT child). Unlike a model that
sees only the two pooled spans, each pair also reads its own context from the shared tok2vec:
the characters between the two spans and a window around the number (where 增长, 下降, 达到
stand), plus a few discrete pair features (order, distance in characters and in entities,
punctuation in between).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy
from spacy.tokens import Doc, Span
from spacy.util import registry
from thinc.api import Model, Relu, Softmax, chain
from thinc.types import Floats2d

from ie.schema import CHILD_LABELS, HEAD_LABELS, doc_text

_GAP_BUCKETS = (0, 1, 2, 5, 10, 20, 40)  # characters between the spans: lower bounds
_ENTS_BUCKETS = (0, 1, 2, 3)  # entities between the spans: lower bounds
_N_FEATURES = 1 + len(_GAP_BUCKETS) + len(_ENTS_BUCKETS) + 3 + 2 + 2
_N_POOLS = 5  # head, child, between, before the number, after the number


@dataclass
class Candidates:
    """The candidate pairs of one Doc: spans, token boundaries and discrete features."""

    pairs: list[tuple[Span, Span]]
    bounds: numpy.ndarray  # (n, 4) int: head start/end, child start/end (tokens)
    features: numpy.ndarray  # (n, _N_FEATURES) float32


CandidateGenerator = Callable[[Doc, Sequence[Span]], Candidates]


@registry.misc("ie.relation_candidates.v1")
def make_candidate_generator(
    max_gap: int = 40,
    head_labels: Sequence[str] = tuple(sorted(HEAD_LABELS)),
    child_labels: Sequence[str] = tuple(sorted(CHILD_LABELS)),
) -> CandidateGenerator:
    """Pairs a `head_labels` entity with a `child_labels` entity of the same sentence when at
    most `max_gap` characters lie between them; the label sets also decide which entities count
    as heads and children in the pair features."""
    heads, children = frozenset(head_labels), frozenset(child_labels)

    def candidates(doc: Doc, ents: Sequence[Span]) -> Candidates:
        return _candidates(doc, ents, max_gap, heads, children)

    return candidates


def _bucket(value: int, bounds: Sequence[int]) -> int:
    return max(i for i, low in enumerate(bounds) if value >= low)


def _candidates(
    doc: Doc, ents: Sequence[Span], max_gap: int, heads: frozenset[str], children: frozenset[str]
) -> Candidates:
    ents = sorted(ents, key=lambda e: e.start)
    same_sentence = doc.has_annotation("SENT_START")
    text = ""  # read once, and only if needed
    pairs, bounds, features = [], [], []
    for i, head in enumerate(ents):
        if head.label_ not in heads:
            continue
        for j in _neighbours(ents, i, max_gap):
            child = ents[j]
            if child.label_ not in children:
                continue
            if same_sentence and head.sent.start != child.sent.start:
                continue
            first, second = (head, child) if i < j else (child, head)
            between = ents[min(i, j) + 1 : max(i, j)]
            text = text or doc_text(doc)
            pairs.append((head, child))
            bounds.append((head.start, head.end, child.start, child.end))
            features.append(
                _pair_features(
                    i < j,
                    text[first.end_char : second.start_char],
                    any(e.label_ in heads for e in between),
                    any(e.label_ in children for e in between),
                    len(between),
                )
            )
    return Candidates(
        pairs=pairs,
        bounds=numpy.asarray(bounds, dtype="i").reshape(-1, 4),
        features=numpy.asarray(features, dtype="f").reshape(-1, _N_FEATURES),
    )


def _neighbours(ents: Sequence[Span], i: int, max_gap: int) -> list[int]:
    """Indices of the entities at most `max_gap` characters from entity `i`, both sides.

    Walking outwards keeps candidate generation linear in sentence length.
    """
    out = []
    for step in (-1, 1):
        j = i + step
        while 0 <= j < len(ents):
            near, far = (ents[j], ents[i]) if step < 0 else (ents[i], ents[j])
            if far.start_char - near.end_char > max_gap:
                break
            out.append(j)
            j += step
    return out


def _pair_features(
    head_first: bool, gap_text: str, heads_between: bool, children_between: bool, n_between: int
) -> numpy.ndarray:
    """Order, distance in characters and entities, punctuation and entities in between."""
    f = numpy.zeros(_N_FEATURES, dtype="f")
    f[0] = float(head_first)
    k = 1
    f[k + _bucket(len(gap_text), _GAP_BUCKETS)] = 1.0
    k += len(_GAP_BUCKETS)
    f[k + _bucket(n_between, _ENTS_BUCKETS)] = 1.0
    k += len(_ENTS_BUCKETS)
    f[k] = float(any(c in gap_text for c in "，,"))
    f[k + 1] = float(any(c in gap_text for c in "；;"))
    f[k + 2] = float("、" in gap_text)
    k += 3
    f[k], f[k + 1] = float(heads_between), float(children_between)
    # Nearest child of the head on its side, nearest head of the child.
    f[k + 2], f[k + 3] = float(not children_between), float(not heads_between)
    return f


RelInput = tuple[list[Doc], list[Candidates]]


@registry.architectures("ie.RelationModel.v2")
def build_relation_model(
    tok2vec: Model[list[Doc], list[Floats2d]],
    hidden_width: int = 64,
    window: int = 3,
    use_context: bool = True,
    nO: int | None = None,
    pair_features: bool = True,
) -> Model[RelInput, Floats2d]:
    """Pair encoder over the shared tok2vec, then a hidden layer and a softmax.

    The softmax has one class per relation label plus a first class for "no relation". The
    hidden layer's dropout is `[training] dropout`, set on every update as for spaCy's own
    pipes. For the ablations, `use_context=False` pools only the two spans (no text between
    them or around the number) and `pair_features=False` drops the discrete pair features.
    """
    encoder = Model(
        "ie_pair_encoder",
        _encode_forward,
        layers=[tok2vec],
        attrs={"window": window, "use_context": use_context, "pair_features": pair_features},
        init=_encode_init,
        dims={"nO": None},
    )
    output_layer = Softmax(nO=nO)
    model = chain(encoder, Relu(nO=hidden_width, dropout=0.0), output_layer)
    model.set_ref("output_layer", output_layer)
    return model


def _encode_init(model: Model, X: RelInput | None = None, Y=None) -> None:
    tok2vec = model.layers[0]
    if X is not None:
        tok2vec.initialize(X=X[0])
    width = tok2vec.get_dim("nO")
    n_pools = _N_POOLS if model.attrs["use_context"] else 2
    n_features = _N_FEATURES if model.attrs["pair_features"] else 0
    model.set_dim("nO", n_pools * width + n_features)


def _segments(
    candidates: list[Candidates], lengths: list[int], window: int, use_context: bool
) -> tuple[numpy.ndarray, numpy.ndarray]:
    """(starts, ends), each (segments, pairs): token ranges to pool, as rows of the batch's
    tokens laid end to end (the Docs' vectors flattened, as thinc's Ragged keeps them)."""
    offsets = numpy.cumsum([0, *lengths[:-1]])
    n_pairs = [len(c.pairs) for c in candidates]
    first = numpy.repeat(offsets, n_pairs)
    last = numpy.repeat(offsets + numpy.asarray(lengths, dtype=int), n_pairs)
    bounds = numpy.vstack([c.bounds for c in candidates]).astype(int) + first[:, None]
    hs, he, cs, ce = bounds.T
    segments = [(hs, he), (cs, ce)]
    if use_context:
        segments += [
            (numpy.minimum(he, ce), numpy.maximum(hs, cs)),  # between the two spans
            (numpy.maximum(first, cs - window), cs),  # before the number
            (ce, numpy.minimum(last, ce + window)),  # after the number
        ]
    starts = numpy.stack([start for start, _ in segments])
    ends = numpy.maximum(starts, numpy.stack([end for _, end in segments]))
    return starts, ends


def _encode_forward(model: Model, X: RelInput, is_train: bool):
    """Mean-pool each segment with prefix sums over the whole batch at once: time and memory
    linear in its length, and only thinc ops (`xp`, `scatter_add`), so any backend runs it."""
    docs, candidates = X
    tok2vec = model.layers[0]
    vectors, backprop_tok2vec = tok2vec(docs, is_train)
    ops, xp = model.ops, model.ops.xp
    lengths = [v.shape[0] for v in vectors]
    n_pairs = sum(len(c.pairs) for c in candidates)
    if not n_pairs:

        def backprop_nothing(d_output: Floats2d) -> RelInput:
            backprop_tok2vec([ops.alloc2f(*v.shape) for v in vectors])
            return X

        return ops.alloc2f(0, model.get_dim("nO")), backprop_nothing
    tokens = ops.flatten(vectors)
    width = tokens.shape[1]
    starts, ends = _segments(candidates, lengths, model.attrs["window"], model.attrs["use_context"])
    n_segments = starts.shape[0]
    scale = ops.asarray(1.0 / numpy.maximum(ends - starts, 1), dtype="f")[:, :, None]
    starts, ends = ops.asarray(starts, dtype="i"), ops.asarray(ends, dtype="i")
    # Float64 prefix sums: a difference of two long sums keeps float32 precision.
    prefix = xp.zeros((tokens.shape[0] + 1, width), dtype="float64")
    prefix[1:] = xp.cumsum(tokens, axis=0, dtype="float64")
    pooled = (prefix[ends] - prefix[starts]).astype("float32") * scale  # (segments, pairs, W)
    pooled = pooled.transpose(1, 0, 2).reshape(n_pairs, n_segments * width)
    parts = [pooled]
    if model.attrs["pair_features"]:
        parts.append(ops.asarray2f(numpy.vstack([c.features for c in candidates])))
    output = ops.asarray2f(xp.hstack(parts))

    def backprop(d_output: Floats2d) -> RelInput:
        # Spread each row's gradient evenly over its range: add at start, remove at end, then
        # a cumulative sum gives every token its share.
        d_pooled = d_output[:, : n_segments * width].reshape(n_pairs, n_segments, width)
        grad = d_pooled.transpose(1, 0, 2) * scale  # (segments, pairs, W)
        grad = xp.ascontiguousarray(grad.reshape(-1, width), dtype="float32")
        diff = ops.alloc2f(tokens.shape[0] + 1, width)
        ops.scatter_add(diff, starts.reshape(-1), grad)
        ops.scatter_add(diff, ends.reshape(-1), -grad)
        d_tokens = ops.asarray2f(xp.cumsum(diff, axis=0)[:-1])
        backprop_tok2vec(ops.unflatten(d_tokens, ops.asarray1i(lengths)))
        return X

    return output, backprop

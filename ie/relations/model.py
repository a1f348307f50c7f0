"""The relation model: candidate pairs, their features, and the registered architecture.

A candidate is a (head, child) pair of entities in one sentence: INDICATOR or PROJECT head,
AMOUNT or PERCENT child. Unlike a model that sees only the two pooled spans, each pair also
reads its own context from the shared tok2vec: the characters between the two spans and a
window around the number (where 增长, 下降, 达到 stand), plus a few discrete pair features
(order, distance in characters and in entities, punctuation in between).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy
from spacy.tokens import Doc, Span
from spacy.util import registry
from thinc.api import Model, Relu, Softmax, chain
from thinc.types import Floats2d

from ie.schema import CHILD_LABELS, HEAD_LABELS

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


def _bucket(value: int, bounds: Sequence[int]) -> int:
    return max(i for i, low in enumerate(bounds) if value >= low)


def make_candidates(doc: Doc, ents: Sequence[Span], max_gap: int) -> Candidates:
    """All head→child pairs of `ents` in one sentence, at most `max_gap` characters apart."""
    ents = sorted(ents, key=lambda e: e.start)
    same_sentence = doc.has_annotation("SENT_START")
    text = doc.text  # built from the tokens on every access: once per Doc
    pairs, bounds, features = [], [], []
    for i, head in enumerate(ents):
        if head.label_ not in HEAD_LABELS:
            continue
        for j in _neighbours(ents, i, max_gap):
            child = ents[j]
            if child.label_ not in CHILD_LABELS:
                continue
            if same_sentence and head.sent.start != child.sent.start:
                continue
            first, second = (head, child) if i < j else (child, head)
            gap_text = text[first.end_char : second.start_char]
            between = ents[min(i, j) + 1 : max(i, j)]
            pairs.append((head, child))
            bounds.append((head.start, head.end, child.start, child.end))
            features.append(_pair_features(i < j, gap_text, between))
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


def _pair_features(head_first: bool, gap_text: str, between: Sequence[Span]) -> numpy.ndarray:
    """Order, distance in characters and entities, punctuation and entities in between."""
    f = numpy.zeros(_N_FEATURES, dtype="f")
    f[0] = float(head_first)
    k = 1
    f[k + _bucket(len(gap_text), _GAP_BUCKETS)] = 1.0
    k += len(_GAP_BUCKETS)
    f[k + _bucket(len(between), _ENTS_BUCKETS)] = 1.0
    k += len(_ENTS_BUCKETS)
    f[k] = float(any(c in gap_text for c in "，,"))
    f[k + 1] = float(any(c in gap_text for c in "；;"))
    f[k + 2] = float("、" in gap_text)
    k += 3
    heads_between = any(e.label_ in HEAD_LABELS for e in between)
    children_between = any(e.label_ in CHILD_LABELS for e in between)
    f[k], f[k + 1] = float(heads_between), float(children_between)
    # Nearest child of the head on its side, nearest head of the child.
    f[k + 2], f[k + 3] = float(not children_between), float(not heads_between)
    return f


RelInput = tuple[list[Doc], list[Candidates]]


@registry.architectures("ie.RelationModel.v1")
def build_relation_model(
    tok2vec: Model[list[Doc], list[Floats2d]],
    hidden_width: int = 64,
    dropout: float = 0.1,
    window: int = 3,
    use_context: bool = True,
    nO: int | None = None,
    pair_features: bool = True,
) -> Model[RelInput, Floats2d]:
    """Pair encoder over the shared tok2vec, then a hidden layer and a softmax.

    The softmax has one class per relation label plus a first class for "no relation".
    For the ablations, `use_context=False` pools only the two spans (no text between them or
    around the number) and `pair_features=False` drops the discrete pair features.
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
    model = chain(encoder, Relu(nO=hidden_width, dropout=dropout), output_layer)
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
    n_tokens: int, bounds: numpy.ndarray, window: int, use_context: bool
) -> list[tuple[numpy.ndarray, numpy.ndarray]]:
    """(starts, ends) token ranges of each pooled segment, one array pair per segment."""
    hs, he, cs, ce = (bounds[:, k] for k in range(4))
    segments = [(hs, he), (cs, ce)]
    if use_context:
        segments += [
            (numpy.minimum(he, ce), numpy.maximum(hs, cs)),  # between the two spans
            (numpy.maximum(0, cs - window), cs),  # before the number
            (ce, numpy.minimum(n_tokens, ce + window)),  # after the number
        ]
    return [(start, numpy.maximum(start, end)) for start, end in segments]


def _encode_forward(model: Model, X: RelInput, is_train: bool):
    """Mean-pool each segment with prefix sums: time and memory linear in sentence length."""
    docs, candidates = X
    tok2vec = model.layers[0]
    use_context = model.attrs["use_context"]
    vectors, backprop_tok2vec = tok2vec(docs, is_train)
    ops = model.ops
    rows, all_segments = [], []
    for tokens, cands in zip(vectors, candidates):
        tokens = ops.to_numpy(tokens)
        segments = _segments(tokens.shape[0], cands.bounds, model.attrs["window"], use_context)
        prefix = numpy.vstack([numpy.zeros((1, tokens.shape[1]), dtype="f"), tokens.cumsum(0)])
        pooled = []
        for start, end in segments:
            length = numpy.maximum(end - start, 1)[:, None].astype("f")
            pooled.append((prefix[end] - prefix[start]) / length)
        feats = cands.features if model.attrs["pair_features"] else cands.features[:, :0]
        rows.append(numpy.hstack(pooled + [feats]))
        all_segments.append(segments)
    width = model.get_dim("nO")
    output = ops.asarray2f(numpy.vstack(rows)) if rows else ops.alloc2f(0, width)

    def backprop(d_output: Floats2d) -> RelInput:
        d_output = ops.to_numpy(d_output)
        d_vectors, offset = [], 0
        for tokens, segments in zip(vectors, all_segments):
            n_tokens, tok_width = tokens.shape
            n = segments[0][0].shape[0]
            d_rows = d_output[offset : offset + n]
            # Spread each row's gradient evenly over its range: add at start, remove at end,
            # then a cumulative sum gives every token its share.
            diff = numpy.zeros((n_tokens + 1, tok_width), dtype="f")
            for k, (start, end) in enumerate(segments):
                length = numpy.maximum(end - start, 1)[:, None].astype("f")
                grad = d_rows[:, k * tok_width : (k + 1) * tok_width] / length
                numpy.add.at(diff, start, grad)
                numpy.add.at(diff, end, -grad)
            d_vectors.append(ops.asarray2f(diff.cumsum(0)[:n_tokens]))
            offset += n
        backprop_tok2vec(d_vectors)
        return X

    return output, backprop

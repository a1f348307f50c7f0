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

HEAD_LABELS = frozenset({"INDICATOR", "PROJECT"})
CHILD_LABELS = frozenset({"AMOUNT", "PERCENT"})

_GAP_BUCKETS = (0, 1, 2, 5, 10, 20, 40)  # characters between the spans: lower bounds
_ENTS_BUCKETS = (0, 1, 2, 3)  # entities between the spans: lower bounds
_N_FEATURES = 1 + len(_GAP_BUCKETS) + len(_ENTS_BUCKETS) + 3 + 2 + 2
_POOLS = ("head", "child", "between", "child_left", "child_right")


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
    pairs, bounds, features = [], [], []
    for i, head in enumerate(ents):
        if head.label_ not in HEAD_LABELS:
            continue
        for j, child in enumerate(ents):
            if child.label_ not in CHILD_LABELS:
                continue
            first, second = (head, child) if i < j else (child, head)
            gap_text = doc.text[first.end_char : second.start_char]
            if len(gap_text) > max_gap:
                continue
            if same_sentence and head.sent.start != child.sent.start:
                continue
            between = ents[min(i, j) + 1 : max(i, j)]
            f = numpy.zeros(_N_FEATURES, dtype="f")
            f[0] = float(i < j)
            k = 1
            f[k + _bucket(len(gap_text), _GAP_BUCKETS)] = 1.0
            k += len(_GAP_BUCKETS)
            f[k + _bucket(len(between), _ENTS_BUCKETS)] = 1.0
            k += len(_ENTS_BUCKETS)
            f[k] = float(any(c in gap_text for c in "，,"))
            f[k + 1] = float(any(c in gap_text for c in "；;"))
            f[k + 2] = float("、" in gap_text)
            k += 3
            f[k] = float(any(e.label_ in HEAD_LABELS for e in between))
            f[k + 1] = float(any(e.label_ in CHILD_LABELS for e in between))
            k += 2
            # Is this the nearest child of the head on its side, and the nearest head of the child?
            f[k] = float(not any(e.label_ in CHILD_LABELS for e in between))
            f[k + 1] = float(not any(e.label_ in HEAD_LABELS for e in between))
            pairs.append((head, child))
            bounds.append((head.start, head.end, child.start, child.end))
            features.append(f)
    return Candidates(
        pairs=pairs,
        bounds=numpy.asarray(bounds, dtype="i").reshape(-1, 4),
        features=numpy.asarray(features, dtype="f").reshape(-1, _N_FEATURES),
    )


RelInput = tuple[list[Doc], list[Candidates]]


@registry.architectures("ie.RelationModel.v1")
def build_relation_model(
    tok2vec: Model[list[Doc], list[Floats2d]],
    hidden_width: int = 64,
    dropout: float = 0.1,
    window: int = 3,
    use_context: bool = True,
    nO: int | None = None,
) -> Model[RelInput, Floats2d]:
    """Pair encoder over the shared tok2vec, then a hidden layer and a softmax.

    The softmax has one class per relation label plus a first class for "no relation".
    `use_context=False` keeps only the two pooled spans, for the ablation.
    """
    encoder = Model(
        "ie_pair_encoder",
        _encode_forward,
        layers=[tok2vec],
        attrs={"window": window, "use_context": use_context},
        init=_encode_init,
        dims={"nO": None},
    )
    return chain(encoder, Relu(nO=hidden_width, dropout=dropout), Softmax(nO=nO))


def _encode_init(model: Model, X: RelInput | None = None, Y=None) -> None:
    tok2vec = model.layers[0]
    if X is not None:
        tok2vec.initialize(X=X[0])
    width = tok2vec.get_dim("nO")
    n_pools = len(_POOLS) if model.attrs["use_context"] else 2
    n_features = _N_FEATURES if model.attrs["use_context"] else 1
    model.set_dim("nO", n_pools * width + n_features)


def _pool_matrices(
    n_tokens: int, bounds: numpy.ndarray, window: int, use_context: bool
) -> list[numpy.ndarray]:
    """One (pairs × tokens) averaging matrix per pooled segment."""
    n = bounds.shape[0]
    names = _POOLS if use_context else _POOLS[:2]
    mats = [numpy.zeros((n, n_tokens), dtype="f") for _ in names]
    for row, (hs, he, cs, ce) in enumerate(bounds):
        segments = {
            "head": (hs, he),
            "child": (cs, ce),
            "between": (min(he, ce), max(hs, cs)),
            "child_left": (max(0, cs - window), cs),
            "child_right": (ce, min(n_tokens, ce + window)),
        }
        for mat, name in zip(mats, names):
            start, end = segments[name]
            if end > start:
                mat[row, start:end] = 1.0 / (end - start)
    return mats


def _encode_forward(model: Model, X: RelInput, is_train: bool):
    docs, candidates = X
    tok2vec = model.layers[0]
    use_context = model.attrs["use_context"]
    vectors, backprop_tok2vec = tok2vec(docs, is_train)
    ops = model.ops
    rows, all_mats = [], []
    for tokens, cands in zip(vectors, candidates):
        mats = _pool_matrices(tokens.shape[0], cands.bounds, model.attrs["window"], use_context)
        mats = [ops.asarray2f(m) for m in mats]
        pooled = [m @ tokens for m in mats]
        feats = cands.features if use_context else cands.features[:, :1]
        rows.append(ops.xp.hstack(pooled + [ops.asarray2f(feats)]))
        all_mats.append(mats)
    width = model.get_dim("nO")
    output = ops.xp.vstack(rows) if rows else ops.alloc2f(0, width)

    def backprop(d_output: Floats2d) -> RelInput:
        d_vectors, offset = [], 0
        tok_width = vectors[0].shape[1] if vectors else 0
        for tokens, mats in zip(vectors, all_mats):
            n = mats[0].shape[0]
            d_rows = d_output[offset : offset + n]
            d_tokens = ops.alloc2f(*tokens.shape)
            for k, mat in enumerate(mats):
                d_tokens += mat.T @ d_rows[:, k * tok_width : (k + 1) * tok_width]
            d_vectors.append(d_tokens)
            offset += n
        backprop_tok2vec(d_vectors)
        return X

    return output, backprop

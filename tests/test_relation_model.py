"""The relation model's parts: candidate pairs and the max_gap edge, pair features, and the
hand-written gradient of the pair encoder against finite differences."""

from __future__ import annotations

import numpy
import pytest
import spacy
from spacy.tokens import Doc, Span
from thinc.api import Model

from ie.relations.model import (
    _GAP_BUCKETS,
    _N_FEATURES,
    _N_POOLS,
    _encode_forward,
    _encode_init,
    make_candidate_generator,
)

NLP = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "char"}}})


def _doc(text: str, ents: list[tuple[str, str]]) -> tuple[Doc, list[Span]]:
    doc = NLP.make_doc(text)
    spans, start = [], 0
    for piece, label in ents:
        start = text.index(piece, start)
        spans.append(doc.char_span(start, start + len(piece), label=label))
        start += len(piece)
    return doc, spans


def test_pairs_run_from_heads_to_numbers_only() -> None:
    doc, ents = _doc(
        "地区生产总值增长5%，投资3亿元建设滨河公园",
        [
            ("地区生产总值", "INDICATOR"),
            ("5%", "PERCENT"),
            ("3亿元", "AMOUNT"),
            ("滨河公园", "PROJECT"),
        ],
    )
    cands = make_candidate_generator(max_gap=40)(doc, ents)
    pairs = {(h.text, c.text) for h, c in cands.pairs}
    assert pairs == {
        ("地区生产总值", "5%"),
        ("地区生产总值", "3亿元"),
        ("滨河公园", "5%"),
        ("滨河公园", "3亿元"),
    }
    assert cands.bounds.shape == (4, 4) and cands.features.shape == (4, _N_FEATURES)
    # The label sets come from the generator's config.
    only_projects = make_candidate_generator(head_labels=["PROJECT"], child_labels=["AMOUNT"])
    assert {(h.text, c.text) for h, c in only_projects(doc, ents).pairs} == {("滨河公园", "3亿元")}


@pytest.mark.parametrize(("gap", "paired"), [(10, True), (11, False)])
def test_max_gap_counts_characters_between_the_spans(gap: int, paired: bool) -> None:
    text = "投资" + "的" * gap + "3亿元"
    doc, ents = _doc(text, [("投资", "INDICATOR"), ("3亿元", "AMOUNT")])
    assert bool(make_candidate_generator(max_gap=10)(doc, ents).pairs) is paired


def test_pair_features_say_order_distance_and_what_is_between() -> None:
    doc, ents = _doc(
        "税收收入3亿元，增长5%",
        [("税收收入", "INDICATOR"), ("3亿元", "AMOUNT"), ("5%", "PERCENT")],
    )
    cands = make_candidate_generator(max_gap=40)(doc, ents)
    by_child = {c.text: f for (_, c), f in zip(cands.pairs, cands.features)}
    near, far = by_child["3亿元"], by_child["5%"]
    assert near[0] == far[0] == 1.0  # the head comes first
    assert near[1 + _GAP_BUCKETS.index(0)] == 1.0  # adjacent
    assert far[1 + _GAP_BUCKETS.index(5)] == 1.0  # 3亿元，增长: 6 characters between
    comma = 1 + len(_GAP_BUCKETS) + 4
    assert near[comma] == 0.0 and far[comma] == 1.0
    children_between = comma + 3 + 1
    assert near[children_between] == 0.0 and far[children_between] == 1.0


def _fixed_vectors(vectors: list[numpy.ndarray], grads: list) -> Model:
    """A stand-in tok2vec: returns `vectors` and keeps the gradient it is given."""

    def forward(model: Model, docs: list[Doc], is_train: bool):
        def backprop(d_vectors: list) -> list:
            grads[:] = d_vectors
            return []

        return [model.ops.asarray2f(v) for v in vectors], backprop

    return Model("fixed", forward, dims={"nO": vectors[0].shape[1]})


def _encoder(
    vectors: list[numpy.ndarray],
    grads: list,
    window: int = 3,
    use_context: bool = True,
    pair_features: bool = True,
) -> Model:
    """The pair encoder over `_fixed_vectors`, initialised."""
    encoder = Model(
        "enc",
        _encode_forward,
        layers=[_fixed_vectors(vectors, grads)],
        attrs={"window": window, "use_context": use_context, "pair_features": pair_features},
        init=_encode_init,
        dims={"nO": None},
    )
    encoder.initialize()
    return encoder


def test_encoder_gradient_matches_finite_differences() -> None:
    rng = numpy.random.default_rng(0)
    text = "全区地区生产总值增长5.5%，总量达到320亿元"
    doc, ents = _doc(
        text, [("地区生产总值", "INDICATOR"), ("5.5%", "PERCENT"), ("320亿元", "AMOUNT")]
    )
    cands = make_candidate_generator(max_gap=40)(doc, ents)
    vectors = [rng.normal(size=(len(doc), 4)).astype("float64")]
    grads: list = []
    encoder = _encoder(vectors, grads, window=2)
    assert encoder.get_dim("nO") == _N_POOLS * 4 + _N_FEATURES
    out, backprop = encoder(([doc], [cands]), is_train=True)
    weights = rng.normal(size=out.shape).astype("f")
    backprop(weights)
    analytic = numpy.asarray(grads[0])

    def loss() -> float:
        return float((numpy.asarray(encoder(([doc], [cands]), False)[0]) * weights).sum())

    eps = 1e-2
    numeric = numpy.zeros_like(vectors[0])
    for index in numpy.ndindex(*vectors[0].shape):
        vectors[0][index] += eps
        up = loss()
        vectors[0][index] -= 2 * eps
        down = loss()
        vectors[0][index] += eps
        numeric[index] = (up - down) / (2 * eps)
    assert numpy.abs(analytic).max() > 0.1
    numpy.testing.assert_allclose(analytic, numeric, rtol=1e-2, atol=1e-2)


@pytest.mark.parametrize(("use_context", "pair_features"), [(False, True), (True, False)])
def test_ablations_drop_their_part_only(use_context: bool, pair_features: bool) -> None:
    doc, ents = _doc("税收收入3亿元，增长5%", [("税收收入", "INDICATOR"), ("5%", "PERCENT")])
    cands = make_candidate_generator(max_gap=40)(doc, ents)
    vectors = [numpy.ones((len(doc), 4), dtype="f")]
    encoder = _encoder(vectors, [], window=2, use_context=use_context, pair_features=pair_features)
    width = (_N_POOLS if use_context else 2) * 4 + (_N_FEATURES if pair_features else 0)
    assert encoder.get_dim("nO") == width
    assert encoder(([doc], [cands]), is_train=False)[0].shape == (1, width)


def test_a_batch_pools_each_doc_as_alone() -> None:
    """The batch is pooled laid end to end: no segment, forward or back, may reach into a
    neighbouring Doc."""
    rng = numpy.random.default_rng(1)
    generate = make_candidate_generator()
    first = _doc("增长5%", [("增长", "INDICATOR"), ("5%", "PERCENT")])
    second = _doc("3亿元投资额", [("3亿元", "AMOUNT"), ("投资额", "INDICATOR")])
    docs = [first[0], second[0]]
    cands = [generate(doc, ents) for doc, ents in (first, second)]
    vectors = [rng.normal(size=(len(doc), 4)).astype("f") for doc in docs]
    grads: list = []
    together, backprop = _encoder(vectors, grads)((docs, cands), is_train=True)
    d_output = rng.normal(size=together.shape).astype("f")
    backprop(d_output)
    assert [g.shape for g in grads] == [v.shape for v in vectors]
    row = 0
    for doc, cand, vec, grad in zip(docs, cands, vectors, list(grads)):
        alone_grads: list = []
        alone, alone_backprop = _encoder([vec], alone_grads)(([doc], [cand]), is_train=True)
        n = len(cand.pairs)
        numpy.testing.assert_allclose(together[row : row + n], alone, rtol=1e-5, atol=1e-6)
        alone_backprop(d_output[row : row + n])
        numpy.testing.assert_allclose(grad, alone_grads[0], rtol=1e-5, atol=1e-6)
        row += n

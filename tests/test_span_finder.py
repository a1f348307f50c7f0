"""`ie_span_finder` sets exactly the spans spaCy's span_finder sets, in the same order."""

from __future__ import annotations

import numpy
import pytest
import spacy
from spacy.pipeline.span_finder import SpanFinder

from ie.span_finder import ArraySpanFinder

TEXTS = ["地区生产总值增长5.5%，总量达到320亿元。", "建成汀溪物流园扩建工程", "好", ""]


@pytest.mark.parametrize(
    ("threshold", "min_length", "max_length"),
    [(0.5, None, None), (0.5, 1, 20), (0.2, 2, 5), (0.9, 3, None), (0.0, None, 4)],
)
def test_same_spans_as_spacys(threshold: float, min_length: int, max_length: int) -> None:
    nlp = spacy.blank("zh")
    finder = nlp.add_pipe(
        "ie_span_finder",
        config={"threshold": threshold, "min_length": min_length, "max_length": max_length},
    )
    assert isinstance(finder, ArraySpanFinder)
    docs = [nlp.make_doc(text) for text in TEXTS]
    n_tokens = sum(len(doc) for doc in docs)
    rng = numpy.random.default_rng(7)
    for _ in range(20):
        scores = rng.random((n_tokens, 2), dtype="float32")
        scores[rng.random(n_tokens) < 0.1] = threshold  # ties: >= counts, as in spaCy
        SpanFinder.set_annotations(finder, docs, scores)
        theirs = [[(s.start, s.end, s.label_) for s in doc.spans["sc"]] for doc in docs]
        finder.set_annotations(docs, scores)
        ours = [[(s.start, s.end, s.label_) for s in doc.spans["sc"]] for doc in docs]
        assert ours == theirs
    assert any(theirs)

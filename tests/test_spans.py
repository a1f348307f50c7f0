"""`ie_span_ents`: spancat's span group becomes doc.ents, scored like ner."""

from __future__ import annotations

import spacy
from spacy.tokens import Span
from spacy.training import Example


def test_span_group_becomes_ents_without_overlaps() -> None:
    nlp = spacy.blank("zh")
    pipe = nlp.add_pipe("ie_span_ents", config={"spans_key": "sc"})
    doc = nlp.make_doc("地区生产总值增长5.5%")
    doc.spans["sc"] = [
        Span(doc, 0, 6, "INDICATOR"),
        Span(doc, 2, 6, "INDICATOR"),  # inside the longer one: dropped
        Span(doc, 8, 12, "PERCENT"),
    ]
    doc = pipe(doc)
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("地区生产总值", "INDICATOR"),
        ("5.5%", "PERCENT"),
    ]


def test_no_span_group_no_ents() -> None:
    nlp = spacy.blank("zh")
    nlp.add_pipe("ie_span_ents")
    assert nlp("增长5.5%").ents == ()


def test_scores_like_ner() -> None:
    nlp = spacy.blank("zh")
    pipe = nlp.add_pipe("ie_span_ents")
    gold = nlp.make_doc("增长5.5%")
    gold.ents = [Span(gold, 2, 6, "PERCENT")]
    pred = nlp.make_doc("增长5.5%")
    pred.spans["sc"] = [Span(pred, 2, 5, "PERCENT")]
    scores = pipe.score([Example(pipe(pred), gold)])
    assert scores["ents_f"] == 0.0 and scores["ents_per_type"]["PERCENT"]["r"] == 0.0
    pred.spans["sc"] = [Span(pred, 2, 6, "PERCENT")]
    assert pipe.score([Example(pipe(pred), gold)])["ents_f"] == 1.0

"""The DocBins training reads carry the gold entities where spancat and the relation pipe
learn them."""

from __future__ import annotations

import json
from pathlib import Path

import spacy
from spacy.tokens import DocBin

from ie.schema import SPANS_KEY
from ie.training import write_docbins


def test_docbins_carry_entities_spans_and_relations(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    record = {
        "text": "投资27亿元的城市更新项目",
        "spans": [
            {"start": 2, "end": 6, "label": "AMOUNT"},
            {"start": 7, "end": 13, "label": "PROJECT"},
        ],
        "relations": [
            {"head": 1, "child": 0, "label": "VALUE", "status": "actual", "period": "2022"}
        ],
        "meta": {"source": "tiny.txt", "sentence": 0, "year": 2023, "part": "review"},
    }
    (corpus / "tiny.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n")
    paths = write_docbins(tmp_path / "out", corpus, {"train": ["tiny"]})
    (back,) = DocBin().from_disk(paths["train"]).get_docs(spacy.blank("zh").vocab)
    expected = [("27亿元", "AMOUNT"), ("城市更新项目", "PROJECT")]
    assert [(s.text, s.label_) for s in back.spans[SPANS_KEY]] == expected
    assert [(e.text, e.label_) for e in back.ents] == expected
    assert [(tuple(r["head"]), tuple(r["child"]), r["label"]) for r in back._.relations] == [
        ((7, 13), (2, 6), "VALUE")
    ]

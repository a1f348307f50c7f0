"""The shipped model: it loads by default and still scores what its meta.json records."""

from __future__ import annotations

import json

import pytest
import spacy

from ie import DEFAULT_MODEL
from ie.corpus import load_corpus, read_splits
from ie.evaluate import evaluate_model
from ie.training import flat_scores


def test_shipped_model_scores_its_recorded_dev_scores() -> None:
    meta = json.loads((DEFAULT_MODEL / "meta.json").read_text(encoding="utf-8"))
    assert meta["ie"]["dev_reports"] == read_splits()["dev"]
    assert meta["ie"]["train_reports"] == read_splits()["train"]
    nlp = spacy.load(DEFAULT_MODEL)
    dev = list(load_corpus(splits={"dev": read_splits()["dev"]})["dev"])
    scores, _ = evaluate_model(nlp, dev)
    measured = flat_scores(scores)
    for key in ("ents_micro_f", "rels_micro_f", "rels_on_gold_ents_micro_f", "ents_AMOUNT_f"):
        assert measured[key] == pytest.approx(meta["performance"][key], abs=1e-3), key


def test_shipped_model_is_small() -> None:
    size = sum(p.stat().st_size for p in DEFAULT_MODEL.rglob("*") if p.is_file())
    assert size < 20 * 1024 * 1024

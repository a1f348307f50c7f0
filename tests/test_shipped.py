"""The shipped model: what it was trained on, the figures README.md quotes, and status and
period on raw reports, checked against hand-read expectations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy

import ie
from ie import DEFAULT_MODEL
from ie.corpus import read_splits
from ie.predict import predict_records, read_inputs

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def meta() -> dict:
    return json.loads((DEFAULT_MODEL / "meta.json").read_text(encoding="utf-8"))


def test_trained_on_everything_with_cross_report_figures(meta: dict) -> None:
    assert meta["ie"]["train"] == read_splits()["train"] and meta["ie"]["dev"] == []
    assert meta["performance"] == {}  # no score on a report it trained on
    cv = meta["ie"]["cross_validation"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for metric in ("ents_micro_f", "ents_INDICATOR_f", "ents_PROJECT_f", "rels_micro_f"):
        assert f"{cv[metric]['mean']:.3f}" in readme, metric


def _facts(path: Path) -> list[tuple[int, str, str, str, str | None]]:
    nlp = spacy.load(DEFAULT_MODEL)
    facts = []
    for record in predict_records(nlp, read_inputs([str(path)], stdin=None)):
        text, spans = record["text"], record["spans"]
        for rel in record["relations"]:
            child = spans[rel["child"]]
            number = text[child["start"] : child["end"]]
            head = text[spans[rel["head"]]["start"] : spans[rel["head"]]["end"]]
            facts.append((record["meta"]["sentence"], head, number, rel["status"], rel["period"]))
    return facts


def test_review_estimate_and_plan_target_on_raw_reports() -> None:
    """000: 「预计全年地区生产总值完成227亿元」 is an estimate of 2022 (the report is 2023's, a
    review of 2022); 002: 「主要预期目标是:地区生产总值增长6%左右」 a target of 2023."""
    raw = ROOT / "corpus" / "raw"
    facts = _facts(next(raw.glob("000_*.txt")))
    assert ("地区生产总值", "227亿元", "estimate", "2022") in [f[1:] for f in facts]
    facts = _facts(next(raw.glob("002_*.txt")))
    assert ("地区生产总值", "6%", "target", "2023") in [f[1:] for f in facts]
    review = [f for f in facts if f[0] < 154]
    assert review and all(f[3] == "actual" and f[4] == "2022" for f in review)


def test_shipped_model_is_small() -> None:
    size = sum(p.stat().st_size for p in DEFAULT_MODEL.rglob("*") if p.is_file())
    assert size < 20 * 1024 * 1024
    assert spacy.load(DEFAULT_MODEL).meta["version"] == ie.__version__

"""Shared fixtures: a tiny pipeline trained in seconds on a few corpus sentences."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ie.corpus import CORPUS_DIR, read_jsonl, report_files

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "configs" / "ie.cfg"


def small_sample(n: int = 40) -> list[dict]:
    """The first `n` sentences with relations, from the training reports."""
    records = []
    for report, path in report_files(CORPUS_DIR).items():
        if report.startswith("000"):
            continue
        records.extend(r for r in read_jsonl(path) if r["relations"])
    return records[:n]


@pytest.fixture(scope="session")
def sample() -> list[dict]:
    return small_sample()


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory, sample: list[dict]) -> Path:
    """Train on `sample` and use it as dev too: the point is that both components learn."""
    from ie.training import train_pipeline

    corpus = tmp_path_factory.mktemp("corpus")
    with (corpus / "tiny.jsonl").open("w", encoding="utf-8") as f:
        for record in sample:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    splits = {"train": ["tiny"], "dev": ["tiny"]}
    (corpus / "splits.json").write_text(json.dumps(splits))
    out = tmp_path_factory.mktemp("run")
    overrides = {
        "training.max_epochs": 25,
        "training.eval_frequency": 50,
        "training.optimizer.learn_rate": 0.005,
        "training.dropout": 0.0,
        "components.tok2vec.model.encode.width": 64,
        "components.tok2vec.model.encode.depth": 2,
        "training.batcher.size.start": 400,
        "training.batcher.size.stop": 400,
    }
    train_pipeline(CONFIG, out, seed=1, overrides=overrides, corpus_dir=corpus, splits=splits)
    return out / "model-last"

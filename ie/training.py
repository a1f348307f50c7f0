"""`python -m ie train`: corpus → DocBins by the recorded split → spaCy's training loop.

The dev scores of the best pipeline (the scheme's figures) are written into its meta.json,
so the shipped model carries the scores it was measured at.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import spacy

from ie import DEFAULT_MODEL
from ie.corpus import CORPUS_DIR, load_corpus, read_splits, records_to_docbin


def write_docbins(
    out_dir: Path, corpus_dir: Path = CORPUS_DIR, splits: dict[str, list[str]] | None = None
) -> dict[str, Path]:
    """One DocBin per split, from the one loader."""
    nlp = spacy.blank("zh")
    data = load_corpus(corpus_dir, splits or read_splits(corpus_dir))
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, ds in data.items():
        paths[name] = out_dir / f"{name}.spacy"
        records_to_docbin(nlp, ds).to_disk(paths[name])
    return paths


def flat_scores(scores: dict[str, Any]) -> dict[str, float]:
    """The scheme's scores as flat `ents_AMOUNT_f`-style keys for meta.json."""
    flat = {}
    for group in ("ents", "ents_tolerant", "rels", "rels_on_gold_ents"):
        for label, s in scores.get(group, {}).items():
            for k in ("p", "r", "f"):
                flat[f"{group}_{label}_{k}"] = round(s[k], 4)
    return flat


def train_pipeline(
    config: Path,
    output: Path,
    *,
    seed: int = 0,
    overrides: dict[str, Any] | None = None,
    package: bool = False,
    corpus_dir: Path = CORPUS_DIR,
    splits: dict[str, list[str]] | None = None,
) -> dict[str, float]:
    """Train, score the best pipeline on dev, record the scores; optionally ship it."""
    from spacy.cli.train import train as spacy_train

    from ie.evaluate import evaluate_model

    splits = splits or read_splits(corpus_dir)
    paths = write_docbins(output / "corpus", corpus_dir, splits)
    settings = {
        "paths.train": str(paths["train"]),
        "paths.dev": str(paths["dev"]),
        "system.seed": seed,
        **(overrides or {}),
    }
    spacy_train(config, output_path=output, overrides=settings)
    best = output / "model-best"
    nlp = spacy.load(best)
    dev = load_corpus(corpus_dir, {"dev": splits["dev"]})["dev"]
    scores, _ = evaluate_model(nlp, list(dev))
    flat = flat_scores(scores)
    meta_path = best / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["performance"] = {**meta.get("performance", {}), **flat}
    meta["ie"] = {"dev_reports": splits["dev"], "train_reports": splits["train"], "seed": seed}
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    if package:
        ship(best)
    return flat


def ship(pipeline: Path, target: Path = DEFAULT_MODEL) -> None:
    """Replace the shipped model by `pipeline`, never leaving a half-copied directory."""
    tmp = Path(tempfile.mkdtemp(prefix=".model.", dir=target.parent))
    shutil.rmtree(tmp)
    shutil.copytree(pipeline, tmp)
    old = target.with_name(".model.old")
    if target.exists():
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
    tmp.rename(target)
    shutil.rmtree(old, ignore_errors=True)

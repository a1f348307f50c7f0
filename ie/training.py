"""`python -m ie train`: corpus → DocBins by the recorded split → spaCy's training loop.

The shipped model is trained on everything (`corpus/splits.json`: the three real reports and
the written sentences) for the number of epochs the cross-validation settled; its meta.json
carries the cross-report figures of the same config from `python -m ie bench`.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import spacy

from ie import DEFAULT_MODEL, __version__
from ie.corpus import AUTHORED, CORPUS_DIR, load_corpus, read_splits, records_to_docbin
from ie.ops import blas_ops


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
    for group in ("status", "status_on_gold_rels"):
        if acc := scores.get(group):
            flat |= {f"{group}_{k}": round(acc[k], 4) for k in ("status", "period", "n")}
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
    score: bool = True,
    cv_summary: dict[str, Any] | None = None,
) -> dict[str, float]:
    """Train with spaCy's loop; record what it trained on (and `cv_summary`, the cross-report
    figures of the same config) in `model-last`'s meta; optionally ship it.

    The final checkpoint is the model: the number of epochs is fixed in the config (chosen by
    cross-validation), so nothing is picked on a report it is scored on. With an empty dev
    split, spaCy's loop logs its scores on the real reports of the training split; they are
    training scores and are not recorded. Otherwise (`score`) the dev scores are recorded."""
    from spacy.cli.train import train as spacy_train

    from ie.evaluate import evaluate_model

    splits = splits or read_splits(corpus_dir)
    dev = splits["dev"] or [r for r in splits["train"] if r != AUTHORED]
    paths = write_docbins(output / "corpus", corpus_dir, {"train": splits["train"], "dev": dev})
    settings = {
        "paths.train": str(paths["train"]),
        "paths.dev": str(paths["dev"]),
        "system.seed": seed,
        **(overrides or {}),
    }
    with blas_ops():  # numpy's BLAS for the products, as `predict` runs (ie/ops.py)
        spacy_train(config, output_path=output, overrides=settings)
    last = output / "model-last"
    flat: dict[str, float] = {}
    if score and splits["dev"]:
        records = load_corpus(corpus_dir, {"dev": splits["dev"]})["dev"]
        scores, _ = evaluate_model(spacy.load(last), list(records))
        flat = flat_scores(scores)
    meta_path = last / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["performance"] = flat
    meta["name"], meta["version"] = "ie_reports", __version__
    meta["ie"] = {"train": splits["train"], "dev": splits["dev"], "seed": seed}
    if cv_summary:
        meta["ie"]["cross_validation"] = cv_summary
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    if package:
        ship(last)
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

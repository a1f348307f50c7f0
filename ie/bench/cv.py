"""Leave-one-report-out cross-validation over the real reports, with the peers beside the model.

Each fold holds out one real report and trains on the others, with the team's written
sentences (`authored`) in every training fold or without them. The model is trained with
several seeds, the final checkpoint (`model-last`: nothing is picked on the held-out report),
and scored with the scheme's scorer like the rule baseline and the character CRF. Written
sentences are never scored: every figure is on a held-out real report.

Trainings are independent, so they run in parallel processes, and each result is kept in
`<out>/runs/<run>/result.json` under a key of the config, the training files and the
settings: a bench run that stopped half way goes on where it was.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import statistics
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from ie.bench.common import METRICS, say
from ie.corpus import AUTHORED, load_corpus, read_jsonl, report_files, split_files
from ie.facts import atomic_output


@dataclass(frozen=True)
class Run:
    """One training of a fold: which system, which report is held out, what it trains on."""

    system: str
    held_out: str
    train: tuple[str, ...]
    seed: int = 0
    overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        name = f"{self.system}-{self.held_out}-seed{self.seed}"
        return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)


def _config_text(config: Path) -> bytes:
    """A spaCy config as its parsed sections (comments and layout left out, so mending a comment
    keeps the cached trainings); any other file, the CRF's script, as its bytes."""
    if config.suffix != ".cfg":
        return config.read_bytes()
    from thinc.api import Config

    return Config().from_disk(config, interpolate=False).to_str().encode()


def _digest(config: Path, corpus_dir: Path, run: Run) -> str:
    """What a result depends on: the config's settings, the run's, and of the training and
    held-out files their names (the order of the training data) and what training and scoring
    read of each line: text, spans, relations, year and part. A file's other meta (source,
    place) is left out, so correcting it does not throw away trainings of half an hour."""
    h = hashlib.sha256(_config_text(config))
    for path in split_files(corpus_dir, [*run.train, run.held_out]):
        h.update(path.name.encode())
        for record in read_jsonl(path):
            meta = record.get("meta", {})
            read = [record["text"], record["spans"], record["relations"]]
            read += [meta.get("year"), meta.get("part")]
            h.update(json.dumps(read, ensure_ascii=False, sort_keys=True).encode())
    h.update(json.dumps(asdict(run), sort_keys=True).encode())
    return h.hexdigest()[:16]


def _cached(out_dir: Path, key: str, run: Run) -> tuple[Path, dict[str, Any] | None]:
    path = out_dir / run.slug / "result.json"
    if path.is_file():
        cached = json.loads(path.read_text(encoding="utf-8"))
        if cached.get("key") == key:
            return path, cached
    return path, None


def _keep(path: Path, key: str, run: Run, seconds: float, scores: dict) -> dict[str, Any]:
    """Store a run's flat scores with the key it was computed under."""
    from ie.training import flat_scores

    result = {"key": key, "run": asdict(run), "train_seconds": seconds, **flat_scores(scores)}
    with atomic_output(path) as f:
        f.write(json.dumps(result, indent=1) + "\n")
    return result


def train_and_score(config: Path, out_dir: Path, corpus_dir: Path, run: Run) -> dict[str, Any]:
    """Train one fold (in its own process) and score `model-last` on the held-out report."""
    import spacy

    from ie.evaluate import evaluate_model
    from ie.training import train_pipeline

    key = _digest(config, corpus_dir, run)
    result_path, cached = _cached(out_dir, key, run)
    if cached:
        return cached
    start = time.perf_counter()
    splits = {"train": list(run.train), "dev": [run.held_out]}
    train_pipeline(
        config,
        out_dir / run.slug,
        seed=run.seed,
        overrides=run.overrides,
        splits=splits,
        corpus_dir=corpus_dir,
        score=False,
    )
    seconds = time.perf_counter() - start
    held = list(load_corpus(corpus_dir, {"test": [run.held_out]})["test"])
    scores, _ = evaluate_model(spacy.load(out_dir / run.slug / "model-last"), held)
    return _keep(result_path, key, run, seconds, scores)


def score_crf(out_dir: Path, corpus_dir: Path, run: Run) -> dict[str, Any]:
    """Fit the character CRF on the fold's training files and score it on the held-out one."""
    from ie.scoring import score_records

    crf_file = corpus_dir.resolve().parent / "training" / "crf.py"
    key = _digest(crf_file, corpus_dir, run)
    result_path, cached = _cached(out_dir, key, run)
    if cached:
        return cached
    data = load_corpus(corpus_dir, {"train": list(run.train), "test": [run.held_out]})
    start = time.perf_counter()
    crf = _load_crf(crf_file).CharCRF().fit(list(data["train"]))
    test = list(data["test"])
    scores = score_records(test, crf.predict(test))
    seconds = time.perf_counter() - start
    del scores["rels"], scores["status"]  # it tags entities only
    return _keep(result_path, key, run, seconds, scores)


def _load_crf(path: Path) -> ModuleType:
    """training/crf.py of the checkout the corpus is in (workshop code, not in the package)."""
    spec = importlib.util.spec_from_file_location("ie_workshop_crf", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _score_rules(corpus_dir: Path, held_out: str) -> dict[str, Any]:
    from ie.baseline import predict_record
    from ie.scoring import score_records
    from ie.training import flat_scores

    test = list(load_corpus(corpus_dir, {"test": [held_out]})["test"])
    scores = score_records(test, [predict_record(r["text"], r["meta"]) for r in test])
    return flat_scores(scores)


def plan(
    reports: Sequence[str], seeds: Sequence[int], ablations: dict[str, dict[str, Any]]
) -> list[Run]:
    """Every training of the cross-validation: the model with its seeds and with the written
    sentences; the model on the real reports alone; each ablation (first seed)."""
    runs = []
    for held in reports:
        others = tuple(r for r in reports if r != held)
        runs += [Run("model", held, (*others, AUTHORED), seed) for seed in seeds]
        runs.append(Run("model, real reports only", held, others, seeds[0]))
        for name, overrides in ablations.items():
            runs.append(Run(name, held, (*others, AUTHORED), seeds[0], overrides))
    return runs


def cross_validation(
    config: Path,
    out_dir: Path,
    corpus_dir: Path,
    *,
    seeds: Sequence[int],
    ablations: dict[str, dict[str, Any]],
    jobs: int,
    crf: bool = True,
) -> dict[str, Any]:
    """Train and score every run of `plan`, the CRF (with and without the written sentences)
    and the rules on every fold; return the per-fold figures and their summaries."""
    reports = list(report_files(corpus_dir))
    runs = plan(reports, seeds, ablations)
    crf_runs = [
        Run(name, held, tuple(r for r in reports if r != held) + extra)
        for held in reports
        for name, extra in (("CRF", (AUTHORED,)), ("CRF, real reports only", ()))
    ]
    crf = crf and (corpus_dir.resolve().parent / "training" / "crf.py").is_file()
    say(f"cv: {len(runs)} trainings over {len(reports)} folds, {jobs} at a time")
    results: list[dict[str, Any]] = []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(train_and_score, config, out_dir, corpus_dir, r) for r in runs]
        if crf:
            futures += [pool.submit(score_crf, out_dir, corpus_dir, r) for r in crf_runs]
        for n, future in enumerate(futures, 1):
            results.append(future.result())
            run = results[-1]["run"]
            say(
                f"cv: {n}/{len(futures)} done ({run['system']}, held out {run['held_out']}, "
                f"seed {run['seed']}): entities F {results[-1]['ents_micro_f']:.3f}"
            )
    for held in reports:
        rules = _score_rules(corpus_dir, held)
        results.append({"run": asdict(Run("rules", held, ())), "train_seconds": 0.0, **rules})
    n_sentences = {held: len(load_corpus(corpus_dir, {"t": [held]})["t"]) for held in reports}
    return {
        "reports": reports,
        "n_sentences": n_sentences,
        "seeds": list(seeds),
        "ablations": ablations,
        "results": [{k: v for k, v in r.items() if k != "key"} for r in results],
        "summary": summarise(results, reports),
    }


def _stats(values: Sequence[float]) -> dict[str, Any]:
    if not values:
        return {"mean": None, "std": None, "min": None, "max": None, "n": 0}
    return {
        "mean": statistics.mean(values),
        "std": statistics.stdev(values) if len(values) > 1 else 0.0,
        "min": min(values),
        "max": max(values),
        "n": len(values),
    }


def summarise(results: Sequence[dict[str, Any]], reports: Sequence[str]) -> dict[str, Any]:
    """Per system and metric: the mean over the held-out reports for each seed, and the spread
    of those means over seeds (`seed_std`); `min`/`max` range over every fold and seed."""
    systems = list(dict.fromkeys(r["run"]["system"] for r in results))
    out: dict[str, Any] = {}
    for system in systems:
        mine = [r for r in results if r["run"]["system"] == system]
        seeds = sorted({r["run"]["seed"] for r in mine})
        out[system] = {}
        for metric in METRICS:
            per_seed = []
            for seed in seeds:
                values = [r[metric] for r in mine if r["run"]["seed"] == seed and metric in r]
                if len(values) == len(reports):
                    per_seed.append(statistics.mean(values))
            every = [r[metric] for r in mine if metric in r]
            stats = _stats(per_seed)
            out[system][metric] = {
                "mean": stats["mean"],
                "seed_std": stats["std"],
                "seeds": len(per_seed),
                "min": min(every) if every else None,
                "max": max(every) if every else None,
            }
    return out

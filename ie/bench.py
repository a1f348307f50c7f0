"""`python -m ie bench`: accuracy against the rule baseline, cross-validation, ablations, speed.

Everything is measured on the gold corpus through the one loader and scored with the scheme's
scorer, so the figures are comparable with `python -m ie evaluate` and the model's meta.json.
The results go to `bench.json` (all numbers) and `bench.md` (the readable report).
"""

from __future__ import annotations

import json
import os
import platform
import resource
import shlex
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from math import ceil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ie.baseline import predict_record
from ie.corpus import CORPUS_DIR, load_corpus, read_splits, report_files
from ie.schema import ENTITY_LABELS
from ie.scoring import score_records
from ie.text import for_model
from ie.training import flat_scores, train_pipeline

if TYPE_CHECKING:
    from spacy.language import Language

COMMAND = "python -m ie bench"
TARGET_SENTENCES_PER_S = 1000  # on one core
N_PROCESSES = (1, 2)
WARMUP_SENTENCES = 256
# The metrics of each fold, with their column names in bench.md.
CV_METRICS = {
    "ents_micro_f": "entities F",
    **{f"ents_{label}_f": f"{label} F" for label in ENTITY_LABELS},
    "rels_micro_f": "relations F",
    "rels_on_gold_ents_micro_f": "relations on gold entities F",
}
ABLATION_METRICS = {
    "ents_micro_f": "entities F",
    "ents_AMOUNT_f": "AMOUNT F",
    "ents_INDICATOR_f": "INDICATOR F",
    "ents_PROJECT_f": "PROJECT F",
    "rels_VALUE_f": "VALUE F",
    "rels_CHANGE_f": "CHANGE F",
    "rels_micro_f": "relations F",
    "rels_on_gold_ents_micro_f": "relations on gold entities F",
}
# The systems of each CV fold, with their names in bench.md.
SYSTEMS = {"model": "model-best", "model_last": "model-last", "baseline": "rules"}
FEATURES_KEY = "components.tok2vec.model.embed.features"
FEATURE_NAMES = {"lexicon": "pkuseg lexicon features", "numbers": "number rule features"}


def ablation_runs(config: Path) -> dict[str, dict[str, Any]]:
    """The runs that take one part away from `config` or, for a feature group it lacks, add it.

    Relative to the config, so the table stays right whichever features are shipped."""
    from thinc.api import Config

    embed = Config().from_disk(config, interpolate=False)["components"]["tok2vec"]["model"]["embed"]
    shipped = list(embed.get("features", []))
    runs: dict[str, dict[str, Any]] = {
        "full": {},
        "no relation context": {"components.ie_relations.model.use_context": False},
    }
    for group, name in FEATURE_NAMES.items():
        if group in shipped:
            runs[f"without {name}"] = {FEATURES_KEY: [g for g in shipped if g != group]}
        else:
            runs[f"with {name}"] = {FEATURES_KEY: [*shipped, group]}
    return runs


def _say(message: str) -> None:
    """Progress of the long steps on stderr, so stdout stays free for spaCy's training log."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _records(reports: Sequence[str]) -> list[dict]:
    """Gold sentences of `reports`, in order, from the one loader."""
    return list(load_corpus(CORPUS_DIR, {"bench": list(reports)})["bench"])


def _baseline(records: Sequence[dict]) -> dict[str, Any]:
    """The rule baseline scored exactly like the model, on the same records."""
    predicted = [predict_record(r["text"], r["meta"]) for r in records]
    return score_records(records, predicted)


def _gold_counts(records: Sequence[dict]) -> dict[str, int]:
    """Gold spans per label, to tell a label absent from a fold from an F of 0."""
    counts = dict.fromkeys(ENTITY_LABELS, 0)
    for record in records:
        for span in record["spans"]:
            counts[span["label"]] += 1
    return counts


# --- accuracy -----------------------------------------------------------------------------


def accuracy(model_path: Path) -> dict[str, Any]:
    """The model and the baseline on the same dev sentences, with the scheme's scores."""
    import spacy

    from ie.evaluate import evaluate_model

    dev = read_splits()["dev"]
    records = _records(dev)
    _say(f"accuracy: {len(records)} dev sentences of {', '.join(dev)}")
    nlp = spacy.load(model_path)
    model_scores, _ = evaluate_model(nlp, records)
    baseline_scores = _baseline(records)
    baseline_scores["n_sentences"] = len(records)
    return {
        "split": "dev",
        "reports": dev,
        "n_sentences": len(records),
        "model_trained_on": nlp.meta.get("ie", {}).get("train_reports"),
        "model": model_scores,
        "baseline": baseline_scores,
    }


# --- training runs ------------------------------------------------------------------------


def _train_and_score(
    config: Path,
    output: Path,
    records: Sequence[dict],
    *,
    seed: int,
    splits: dict[str, list[str]] | None = None,
    overrides: dict[str, Any] | None = None,
    done: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Train, then score model-best (picked on dev) and model-last (not) on `records` (dev).

    Training is deterministic, so a run already in `done` (the CV fold that holds out the dev
    report is the full ablation) is reused instead of trained again."""
    import spacy

    from ie.evaluate import evaluate_model

    key = json.dumps([str(config), splits or read_splits(), seed, overrides or {}], sort_keys=True)
    if done is not None and key in done:
        return done[key]
    start = time.perf_counter()
    best = train_pipeline(config, output, seed=seed, overrides=overrides, splits=splits)
    seconds = time.perf_counter() - start
    last, _ = evaluate_model(spacy.load(output / "model-last"), records)
    result = {"train_seconds": seconds, "best": best, "last": flat_scores(last)}
    if done is not None:
        done[key] = result
    return result


def _stats(values: Sequence[float | None]) -> dict[str, Any]:
    """Mean, sample standard deviation and range of the folds that have the label in gold."""
    present = [v for v in values if v is not None]
    if not present:
        return {"mean": None, "std": None, "min": None, "max": None, "n": 0}
    return {
        "mean": statistics.mean(present),
        "std": statistics.stdev(present) if len(present) > 1 else 0.0,
        "min": min(present),
        "max": max(present),
        "n": len(present),
    }


def _fold_metrics(flat: dict[str, float], gold: dict[str, int]) -> dict[str, float | None]:
    """The CV metrics of one fold; a label with no gold span in the fold has no F (None)."""
    out: dict[str, float | None] = {}
    for metric in CV_METRICS:
        label = metric.removeprefix("ents_").removesuffix("_f")
        out[metric] = None if gold.get(label) == 0 else flat.get(metric)
    return out


def cross_validation(
    config: Path,
    out_dir: Path,
    seed: int,
    overrides: dict[str, Any] | None = None,
    done: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Leave one report out: train on the others, score on the held-out report."""
    from sklearn.model_selection import LeaveOneGroupOut

    reports = list(report_files())
    folds = []
    for train_idx, test_idx in LeaveOneGroupOut().split(reports, groups=reports):
        held = reports[test_idx[0]]
        train = [reports[i] for i in train_idx]
        records = _records([held])
        gold = _gold_counts(records)
        _say(f"cv: fold {len(folds) + 1}/{len(reports)}, held out {held}, training")
        run = _train_and_score(
            config,
            out_dir / held,
            records,
            seed=seed,
            splits={"train": train, "dev": [held]},
            overrides=overrides,
            done=done,
        )
        folds.append(
            {
                "held_out": held,
                "train_reports": train,
                "n_sentences": len(records),
                "gold": gold,
                "train_seconds": run["train_seconds"],
                "model": _fold_metrics(run["best"], gold),
                "model_last": _fold_metrics(run["last"], gold),
                "baseline": _fold_metrics(flat_scores(_baseline(records)), gold),
            }
        )
    summary = {
        system: {metric: _stats([f[system][metric] for f in folds]) for metric in CV_METRICS}
        for system in SYSTEMS
    }
    return {"folds": folds, "summary": summary, "seed": seed}


def run_ablations(
    config: Path, out_dir: Path, seed: int, done: dict[str, dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Each ablation trained on the train split and scored on dev like the full model."""
    dev = _records(read_splits()["dev"])
    runs = {}
    for name, overrides in ablation_runs(config).items():
        _say(f"ablation {name}: training")
        runs[name] = {
            "overrides": overrides,
            **_train_and_score(
                config,
                out_dir / name.replace(" ", "_"),
                dev,
                seed=seed,
                overrides=overrides,
                done=done,
            ),
        }
    return {"runs": runs, "seed": seed}


# --- speed and memory ---------------------------------------------------------------------


def _peak_rss_kb() -> int:
    """This process's peak resident set (VmHWM) in kB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _reset_peak_rss() -> bool:
    """Restart VmHWM from the current RSS (Linux ≥ 4.0), so earlier work does not count."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _timed(fn: Callable[[], Any], repeats: int) -> list[float]:
    """Wall-clock seconds of each of `repeats` calls."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def _range(values: Sequence[float]) -> dict[str, float]:
    """Median and range: robust to one slow run on a shared machine."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def _component_seconds(nlp: Language, texts: list[str]) -> dict[str, float]:
    """One single-process pass with each step timed alone: where the time goes."""
    start = time.perf_counter()
    docs = [nlp.make_doc(text) for text in texts]
    seconds = {"tokenizer": time.perf_counter() - start}
    for name, proc in nlp.pipeline:
        start = time.perf_counter()
        if hasattr(proc, "pipe"):
            docs = list(proc.pipe(docs, batch_size=nlp.batch_size))
        else:
            docs = [proc(doc) for doc in docs]
        seconds[name] = time.perf_counter() - start
    return seconds


def speed(model_path: Path, n_sentences: int, repeats: int) -> dict[str, Any]:
    """Load time, `nlp.pipe` throughput for 1 and 2 processes, peak memory, size on disk."""
    import spacy

    load_average = os.getloadavg()
    start = time.perf_counter()
    nlp = spacy.load(model_path)
    first_load = time.perf_counter() - start
    loads = _timed(lambda: spacy.load(model_path), repeats)

    base = [for_model(r["text"]) for r in _records(list(report_files()))]
    texts = base * ceil(n_sentences / len(base))
    n_chars = sum(map(len, texts))
    _say(f"speed: {len(texts)} sentences ({len(base)} distinct), {repeats} repetition(s)")
    runs = {}
    for n_process in N_PROCESSES:

        def predict(batch: list[str] = texts, n: int = n_process) -> None:
            for _ in nlp.pipe(batch, n_process=n):
                pass

        predict(texts[:WARMUP_SENTENCES])
        reset = _reset_peak_rss()
        cpu_start = time.process_time()
        children_start = resource.getrusage(resource.RUSAGE_CHILDREN)
        times = _timed(predict, repeats)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = time.process_time() - cpu_start
        cpu += (children.ru_utime + children.ru_stime) - (
            children_start.ru_utime + children_start.ru_stime
        )
        run: dict[str, Any] = {
            "seconds": _range(times),
            "sentences_per_s": _range([len(texts) / t for t in times]),
            "chars_per_s": _range([n_chars / t for t in times]),
            "cpu_per_wall": cpu / sum(times),
            "peak_rss_mb": _peak_rss_kb() / 1024,
            "peak_rss_reset": reset,
        }
        if n_process > 1:
            run["worker_peak_rss_mb"] = children.ru_maxrss / 1024
        runs[str(n_process)] = run
        _say(
            f"speed: n_process={n_process}: "
            f"{run['sentences_per_s']['median']:.0f} sentences/s (median)"
        )
    size = sum(p.stat().st_size for p in model_path.rglob("*") if p.is_file())
    components = _component_seconds(nlp, base)
    return {
        "load_average": load_average,
        "n_sentences": len(texts),
        "n_distinct_sentences": len(base),
        "n_chars": n_chars,
        "repeats": repeats,
        "batch_size": nlp.batch_size,
        "first_load_seconds": first_load,
        "load_seconds": _range(loads),
        "pipe": runs,
        "component_seconds": components,
        "model_bytes": size,
        "model_mb": size / 1e6,
        "target_sentences_per_s": TARGET_SENTENCES_PER_S,
        "meets_target": runs["1"]["sentences_per_s"]["median"] >= TARGET_SENTENCES_PER_S,
    }


# --- the report ---------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """Where the figures were measured."""
    import spacy
    import thinc

    cpu_model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        cpu_model = next(
            (
                line.split(":", 1)[1].strip()
                for line in cpuinfo.read_text().splitlines()
                if line.startswith("model name")
            ),
            "",
        )
    return {
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu_model": cpu_model,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "spacy": spacy.__version__,
        "thinc": thinc.__version__,
    }


def command(
    out_dir: Path,
    model_path: Path,
    config: Path,
    cv: bool,
    ablations: bool,
    speed_sentences: int,
    repeats: int,
    seed: int,
) -> str:
    """The command line that reproduces this report."""
    parts = ["--output", str(out_dir), "--model", str(model_path), "--config", str(config)]
    parts += [] if cv else ["--no-cv"]
    parts += [] if ablations else ["--no-ablations"]
    parts += ["--sentences", str(speed_sentences), "--repeats", str(repeats), "--seed", str(seed)]
    return f"{COMMAND} {shlex.join(parts)}"


def run(
    out_dir: Path,
    model_path: Path,
    *,
    config: Path,
    cv: bool = True,
    ablations: bool = True,
    speed_sentences: int = 10_000,
    repeats: int = 3,
    seed: int = 0,
) -> dict[str, Any]:
    """Run the benchmark, write `bench.json` and `bench.md` into `out_dir`, return the data.

    Speed runs first, before any training grows the process, so its memory figures are clean.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.time()
    result: dict[str, Any] = {
        "command": command(
            out_dir, model_path, config, cv, ablations, speed_sentences, repeats, seed
        ),
        "model_path": str(model_path),
        "config": str(config),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "machine": machine(),
    }
    result["speed"] = speed(model_path, speed_sentences, repeats)
    result["accuracy"] = accuracy(model_path)
    done: dict[str, dict[str, Any]] = {}
    result["cv"] = cross_validation(config, out_dir / "cv", seed, done=done) if cv else None
    result["ablations"] = (
        run_ablations(config, out_dir / "ablations", seed, done=done) if ablations else None
    )
    training: dict[str, float] = {}
    for fold in result["cv"]["folds"] if cv else []:
        training[f"cv:{fold['held_out']}"] = fold["train_seconds"]
    for name, r in result["ablations"]["runs"].items() if ablations else []:
        training[f"ablation:{name}"] = r["train_seconds"]
    result["speed"]["training_seconds"] = training
    result["duration_seconds"] = time.time() - started
    _write_atomic(out_dir / "bench.json", json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    _write_atomic(out_dir / "bench.md", markdown(result))
    _say(f"done in {result['duration_seconds']:.0f} s")
    return result


def _write_atomic(path: Path, text: str) -> None:
    """Write beside `path` and rename, so a reader never sees half a report."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a report is for everyone
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- markdown -----------------------------------------------------------------------------


def _f(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _prf(s: dict[str, Any] | None) -> list[str]:
    if s is None:
        return ["–", "–", "–"]
    return [_f(s["p"]), _f(s["r"]), _f(s["f"])]


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines + [""]


def _accuracy_md(acc: dict[str, Any]) -> list[str]:
    model, base = acc["model"], acc["baseline"]
    trained = ", ".join(acc["model_trained_on"] or ["reports its meta does not name"])
    header = ["", "model P", "model R", "model F", "rules P", "rules R", "rules F", "gold"]
    lines = [
        "## Accuracy on the dev split",
        "",
        f"{acc['n_sentences']} sentences of {', '.join(acc['reports'])}, the same sentences "
        "for both systems; exact span and label (relations: label, head and child spans). "
        f"The model was trained on {trained}.",
        "",
    ]
    rows = []
    for group, name in (("ents", "entity"), ("ents_tolerant", "overlap"), ("rels", "relation")):
        for label, s in model[group].items():
            rows.append([f"{name} {label}", *_prf(s), *_prf(base[group][label]), s["gold"]])
    for label, s in model.get("rels_on_gold_ents", {}).items():
        rows.append([f"relation {label} (gold ents)", *_prf(s), "–", "–", "–", s["gold"]])
    return lines + _table(header, rows)


def _cv_md(cv: dict[str, Any] | None) -> list[str]:
    lines = ["## Leave-one-report-out cross-validation", ""]
    if cv is None:
        return lines + ["Not run in this invocation (`--no-cv`).", ""]
    lines += [
        f"scikit-learn `LeaveOneGroupOut` over the reports; each fold trains on the other "
        f"reports (seed {cv['seed']}) and is scored on the held-out one. `model-best` is the "
        "checkpoint spaCy picks by its score on that same held-out report, so it is "
        "slightly optimistic; `model-last` is the final checkpoint, picked by nothing. "
        "F of a label with no gold span in the fold is left out (–).",
        "",
    ]
    rows = []
    for fold in cv["folds"]:
        for system in SYSTEMS:
            rows.append(
                [fold["held_out"], fold["n_sentences"], SYSTEMS[system]]
                + [_f(fold[system][m]) for m in CV_METRICS]
            )
    lines += _table(["held out", "sentences", "system", *CV_METRICS.values()], rows)
    rows = []
    for system, stats in cv["summary"].items():
        rows.append(
            [SYSTEMS[system]]
            + [
                f"{_f(s['mean'])} ± {_f(s['std'])} ({_f(s['min'])}–{_f(s['max'])})"
                if s["n"]
                else "–"
                for s in (stats[m] for m in CV_METRICS)
            ]
        )
    lines += ["Mean ± sample standard deviation (min–max) over the folds:", ""]
    return lines + _table(["system", *CV_METRICS.values()], rows)


def _ablations_md(ablations: dict[str, Any] | None) -> list[str]:
    lines = ["## Ablations", ""]
    if ablations is None:
        lines += ["Not run in this invocation (`--no-ablations`).", ""]
    else:
        lines += [
            f"Trained on the train split and scored on dev (seed {ablations['seed']}), "
            "model-best and model-last.",
            "",
        ]
        rows = []
        for name, r in ablations["runs"].items():
            overrides = ", ".join(f"`{k}={v}`" for k, v in r["overrides"].items())
            for which in ("best", "last"):
                rows.append(
                    [name, overrides or "(full config)", f"model-{which}"]
                    + [_f(r[which].get(m)) for m in ABLATION_METRICS]
                )
        lines += _table(["ablation", "overrides", "checkpoint", *ABLATION_METRICS.values()], rows)
    return lines


def _speed_md(sp: dict[str, Any], cpus: int | None) -> list[str]:
    lines = [
        "## Speed and memory",
        "",
        f"`nlp.pipe` over the {sp['n_distinct_sentences']} gold sentences of all reports "
        f"(`for_model` text, converted before timing), repeated to {sp['n_sentences']} "
        f"sentences ({sp['n_chars']} characters), batch size {sp['batch_size']}; one warm-up "
        f"run of {WARMUP_SENTENCES} sentences, then {sp['repeats']} timed run(s), median "
        "(min–max). With 2 processes, spaCy forks 2 workers per call; their start-up is timed.",
        "",
    ]
    rows = []
    for n, r in sp["pipe"].items():
        s, c = r["sentences_per_s"], r["chars_per_s"]
        memory = f"{r['peak_rss_mb']:.0f}"
        if "worker_peak_rss_mb" in r:
            memory += f" + 2 × {r['worker_peak_rss_mb']:.0f}"
        rows.append(
            [
                n,
                f"{s['median']:.0f} ({s['min']:.0f}–{s['max']:.0f})",
                f"{c['median']:.0f} ({c['min']:.0f}–{c['max']:.0f})",
                f"{r['cpu_per_wall']:.2f}",
                memory,
            ]
        )
    lines += _table(
        ["processes", "sentences/s", "chars/s", "CPU s per wall s", "peak RSS MB"], rows
    )
    total = sum(sp["component_seconds"].values())
    shares = ", ".join(f"{k} {v / total:.0%}" for k, v in sp["component_seconds"].items())
    target = sp["target_sentences_per_s"]
    verdict = "meets" if sp["meets_target"] else "does not meet"
    lines += [
        f"Target: {target} sentences/s on one core; the single-process median {verdict} it. "
        "`CPU s per wall s` above 1 for one process means numpy/BLAS used more than one core; "
        "below 1, the process waited for a CPU. Load average (1, 5, 15 min) when the speed "
        f"runs started: {', '.join(f'{x:.2f}' for x in sp['load_average'])}, on "
        f"{cpus} usable CPUs; other work on the machine lowers every figure here.",
        "",
        "Peak RSS is VmHWM of this process from /proc/self/status, reset (clear_refs) just "
        "before the timed runs, so it covers the interpreter, the loaded model and the input "
        f"texts while predicting (reset worked: {sp['pipe']['1']['peak_rss_reset']}). For 2 "
        "processes, `+ 2 × W` adds the workers: W is the largest ru_maxrss of the reaped "
        "children (getrusage RUSAGE_CHILDREN); forked workers share pages with the parent, "
        "so the sum is an upper bound.",
        "",
        f"Where the time goes (one single-process pass, each step timed alone): {shares}.",
        "",
        f"Model load: {sp['first_load_seconds']:.2f} s the first time in this process, then median "
        f"{sp['load_seconds']['median']:.2f} s ({sp['load_seconds']['min']:.2f}–"
        f"{sp['load_seconds']['max']:.2f}). Size on disk: {sp['model_bytes']} bytes "
        f"({sp['model_mb']:.1f} MB).",
        "",
    ]
    if sp.get("training_seconds"):
        lines += ["Training time per run (data conversion, training, scoring):", ""]
        lines += _table(
            ["run", "seconds"], [[k, f"{v:.0f}"] for k, v in sp["training_seconds"].items()]
        )
    return lines


def markdown(result: dict[str, Any]) -> str:
    """The readable report."""
    m = result["machine"]
    lines = [
        "# Benchmark",
        "",
        f"Produced by `{result['command']}` on {result['started']}, "
        f"in {result['duration_seconds']:.0f} s. Model: `{result['model_path']}`.",
        "",
        f"Machine: {m['cpu_count']} CPUs ({m['cpus_usable']} usable), {m['cpu_model'] or '?'}; "
        f"{m['platform']}; Python {m['python']}, spaCy {m['spacy']}, thinc {m['thinc']}.",
        "",
    ]
    lines += _accuracy_md(result["accuracy"])
    lines += _cv_md(result["cv"])
    lines += _ablations_md(result["ablations"])
    lines += _speed_md(result["speed"], m["cpus_usable"])
    lines += [
        "## Notes",
        "",
        "- The rule baseline is `ie/baseline.py`: generic regular expressions, not fitted to "
        "any one report, but written while looking at its scores on all three reports, dev "
        "included, so it is not blind to the dev report either. It has no step that takes "
        "given entities, so it has no figures on gold entities.",
        "- The shipped model's dev figures share the caveat of model-best: spaCy picked the "
        "checkpoint by its dev score.",
        "",
    ]
    return "\n".join(lines)

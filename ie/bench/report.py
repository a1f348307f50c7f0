"""bench.md: the benchmark as Markdown tables (wasabi's renderer)."""

from __future__ import annotations

from typing import Any

from wasabi import MarkdownRenderer

from ie.bench.common import METRICS
from ie.bench.speed import WARMUP_SENTENCES

PEER_NOTE = (
    "The rules are `ie/baseline.py`, written while looking at all three reports, so not blind "
    "to any fold. The CRF is `training/crf.py` (sklearn-crfsuite: character, ±2 neighbours, "
    "bigrams, character type, pkuseg lexicon roles); it tags entities only. The status reader "
    "is rules (`ie/status.py`) written while reading all three reports' gold, so its figures "
    "are not blind either."
)


def _f(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _cv(md: MarkdownRenderer, cv: dict[str, Any]) -> None:
    md.add(md.title(2, "Leave-one-report-out cross-validation"))
    md.add(
        "Each fold holds out one real report and trains on the other two, with the written "
        'sentences of `corpus/authored/` or ("real reports only") without them; every figure '
        "is on the held-out real report. The model is the final checkpoint (`model-last`), "
        f"seeds {', '.join(map(str, cv['seeds']))}; ablations and the real-reports-only model "
        f"use seed {cv['seeds'][0]}. {PEER_NOTE}"
    )
    header = ["system", *METRICS.values()]
    rows = []
    for system, stats in cv["summary"].items():
        cells = []
        for metric in METRICS:
            s = stats[metric]
            if s["mean"] is None:
                cells.append("–")
                continue
            spread = f" ± {s['seed_std']:.3f}" if s["seeds"] > 1 else ""
            cells.append(f"{_f(s['mean'])}{spread} ({_f(s['min'])}–{_f(s['max'])})")
        rows.append([system, *cells])
    md.add(
        "Mean over the held-out reports (± the standard deviation of that mean over seeds), "
        "and the range over every fold and seed:"
    )
    md.add(md.table(rows, header))
    rows = []
    for r in cv["results"]:
        run = r["run"]
        rows.append(
            [
                run["held_out"],
                str(cv["n_sentences"][run["held_out"]]),
                run["system"],
                str(run["seed"]),
                *[_f(r.get(m)) for m in METRICS],
                f"{r['train_seconds']:.0f}",
            ]
        )
    md.add("Every fold:")
    md.add(md.table(rows, ["held out", "sentences", "system", "seed", *METRICS.values(), "s"]))
    if cv["ablations"]:
        md.add("Ablation overrides (relative to the config):")
        md.add(
            md.table(
                [[name, f"`{o}`"] for name, o in cv["ablations"].items()], ["ablation", "overrides"]
            )
        )


def _speed(md: MarkdownRenderer, sp: dict[str, Any], cpus: int | None) -> None:
    md.add(md.title(2, "Speed and memory"))
    md.add(
        f"`nlp.pipe` over the {sp['n_distinct_sentences']} sentences of the real reports "
        f"(model text), repeated to {sp['n_sentences']} sentences ({sp['n_chars']} characters), "
        f"batch size {sp['batch_size']} (the config's) unless the run says otherwise; a "
        f"warm-up of {WARMUP_SENTENCES} sentences, then {sp['repeats']} timed run(s) of each, "
        "taking turns, median (min–max). Load average when the runs started: "
        f"{', '.join(f'{x:.2f}' for x in sp['load_average'])} on {cpus} usable CPUs. "
        "2 processes is `predict --n-process 2`: worker processes that each run the pipeline "
        "on chunks of sentences and send back records (the facts), not Docs."
    )
    rows = []
    for n, r in sp["pipe"].items():
        s = r["sentences_per_s"]
        memory = f"{r['peak_rss_mb']:.0f}"
        if "worker_peak_rss_mb" in r:
            memory += f" + {r['n_process']} × {r['worker_peak_rss_mb']:.0f}"
        rows.append(
            [
                n,
                f"{s['median']:.0f} ({s['min']:.0f}–{s['max']:.0f})",
                f"{r['chars_per_s']['median']:.0f}",
                f"{r['cpu_per_wall']:.2f}",
                memory,
            ]
        )
    md.add(md.table(rows, ["run", "sentences/s", "chars/s", "CPU s / wall s", "peak MB"]))
    total = sum(sp["component_seconds"].values())
    shares = ", ".join(f"{k} {v / total:.0%}" for k, v in sp["component_seconds"].items())
    verdict = "meets" if sp["meets_target"] else "does not meet"
    md.add(
        f"Target: {sp['target_sentences_per_s']} sentences/s on one process; the median "
        f"{verdict} it. Where the time goes (one pass, each step alone): {shares}. Peak RSS is "
        "VmHWM of this process, reset before every timed run, the smallest over a run's "
        "repetitions; for several processes the "
        "workers' largest ru_maxrss is added per worker (an upper bound: forks share pages). "
        f"Model load {sp['load_seconds']['median']:.2f} s (median); "
        f"{sp['model_mb']:.1f} MB on disk."
    )


def _levers(md: MarkdownRenderer, levers: dict[str, Any], cv: dict[str, Any]) -> None:
    """Each ablation's speed beside its accuracy, against the config's, both at seed 0."""
    seed, held = levers["seed"], levers["held_out"]
    metrics = ["ents_micro_f", "ents_INDICATOR_f", "ents_PROJECT_f", "rels_micro_f"]
    md.add(md.title(2, "Levers: speed and accuracy side by side"))
    md.add(
        f"Speed: the fold model that held out {held} (seed {seed}) of the config and of each "
        "ablation, one process, the same sentences and batch as above, taking turns; median "
        f"(min–max). Accuracy: the mean over the held-out reports at seed {seed}."
    )
    rows = []
    for system, lever in levers["speed"].items():
        s = lever["sentences_per_s"]
        mine = [r for r in cv["results"] if r["run"]["system"] == system]
        mine = [r for r in mine if r["run"]["seed"] == seed]
        scores = [_f(sum(r[m] for r in mine) / len(mine)) if mine else "–" for m in metrics]
        share = lever["component_shares"].get("tok2vec", 0.0)
        name = "the config" if system == "model" else system
        rows.append([name, f"{s['median']:.0f} ({s['min']:.0f}–{s['max']:.0f})", f"{share:.0%}"])
        rows[-1] += scores
    header = ["design", "sentences/s", "tok2vec share", *(METRICS[m] for m in metrics)]
    md.add(md.table(rows, header))


def markdown(result: dict[str, Any]) -> str:
    """The readable report of `ie.bench.run`'s result."""
    m = result["machine"]
    md = MarkdownRenderer()
    md.add(md.title(1, "Benchmark"))
    md.add(
        f"Produced by `{result['command']}` on {result['started']} in "
        f"{result['duration_seconds']:.0f} s. Machine: {m['cpu_count']} CPUs "
        f"({m['cpus_usable']} usable), {m['cpu_model'] or '?'}; Python {m['python']}, "
        f"spaCy {m['spacy']}, thinc {m['thinc']}."
    )
    if result.get("cv"):
        _cv(md, result["cv"])
    if result.get("speed"):
        _speed(md, result["speed"], m["cpus_usable"])
    if result.get("levers") and result.get("cv"):
        _levers(md, result["levers"], result["cv"])
    return md.text + "\n"

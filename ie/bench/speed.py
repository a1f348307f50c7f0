"""Speed and memory of a pipeline: `nlp.pipe` throughput on 1 process (at the config's batch
size and at twice it) and `predict`'s on 2, peak RSS, where the time goes, load time and size
on disk.

Peak RSS is read from /proc/self/status (VmHWM) after resetting it before every timed run, so
earlier work in the same process does not count.
"""

from __future__ import annotations

import os
import resource
import statistics
import time
from collections.abc import Callable, Sequence
from math import ceil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ie.bench.common import say

if TYPE_CHECKING:
    from spacy.language import Language

TARGET_SENTENCES_PER_S = 1000  # on one core
WARMUP_SENTENCES = 256


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


def _children_cpu() -> float:
    """CPU seconds of this process's finished children (the workers of `predict`)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _predict(nlp: Language, texts: list[str], n_process: int, batch_size: int) -> None:
    """Run the pipeline over `texts`: `nlp.pipe` on one process, `predict`'s workers on more."""
    from ie.predict import Item, predict_records

    if n_process == 1:
        for _ in nlp.pipe(texts, batch_size=batch_size):
            pass
        return
    items = (Item({"text": t}) for t in texts)
    for _ in predict_records(nlp, items, n_process=n_process, batch_size=batch_size):
        pass


def speed(
    model_path: Path, sentences: Sequence[str], n_sentences: int, repeats: int
) -> dict[str, Any]:
    """Load time, throughput over `sentences` (model text) repeated to `n_sentences`, on 1
    process (`nlp.pipe`) and 2 (`predict`'s workers); peak memory; where the time goes; size
    on disk."""
    import spacy
    from thinc.api import NumpyOps, set_current_ops

    from ie.ops import use_blas_ops

    load_average = os.getloadavg()
    set_current_ops(NumpyOps())  # blis, thinc's default: the comparison
    blis = spacy.load(model_path)
    use_blas_ops()  # what `predict` uses
    start = time.perf_counter()
    nlp = spacy.load(model_path)
    first_load = time.perf_counter() - start
    loads = _timed(lambda: spacy.load(model_path), repeats)

    base = list(sentences)
    texts = base * ceil(n_sentences / len(base))
    n_chars = sum(map(len, texts))
    say(f"speed: {len(texts)} sentences ({len(base)} distinct), {repeats} repetition(s)")
    # the pipeline as `predict` runs it (numpy's BLAS) on 1 process, on 2 as `predict
    # --n-process 2` does (workers that send back records), at twice the config's batch size
    # (`predict --batch-size`), and with thinc's default blis on one process: the levers side
    # by side, taking turns in every repetition, so a slow spell of a shared machine falls on
    # all of them alike
    config_batch = nlp.batch_size
    variants = {
        "1 process": (nlp, 1, config_batch),
        "2 processes": (nlp, 2, config_batch),
        f"1 process, batch {2 * config_batch}": (nlp, 1, 2 * config_batch),
        "1 process, blis": (blis, 1, config_batch),
    }
    for pipeline, n_process, batch_size in variants.values():
        _predict(pipeline, texts[:WARMUP_SENTENCES], n_process, batch_size)
    times: dict[str, list[float]] = {name: [] for name in variants}
    cpu = dict.fromkeys(variants, 0.0)
    peak_kb: dict[str, list[int]] = {name: [] for name in variants}
    reset = True
    for _ in range(repeats):
        for name, (pipeline, n_process, batch_size) in variants.items():
            reset &= _reset_peak_rss()
            cpu_start = time.process_time() + _children_cpu()
            start = time.perf_counter()
            _predict(pipeline, texts, n_process, batch_size)
            times[name].append(time.perf_counter() - start)
            cpu[name] += time.process_time() + _children_cpu() - cpu_start
            peak_kb[name].append(_peak_rss_kb())
    runs = {}
    for name, (_, n_process, batch_size) in variants.items():
        run: dict[str, Any] = {
            "n_process": n_process,
            "batch_size": batch_size,
            "seconds": _range(times[name]),
            "sentences_per_s": _range([len(texts) / t for t in times[name]]),
            "chars_per_s": _range([n_chars / t for t in times[name]]),
            "cpu_per_wall": cpu[name] / sum(times[name]),
            # the smallest peak of its runs: memory an earlier run left behind is not its own
            "peak_rss_mb": min(peak_kb[name]) / 1024,
            "peak_rss_reset": reset,
        }
        if n_process > 1:  # the only runs with children: their largest peak
            worker_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            run["worker_peak_rss_mb"] = worker_kb / 1024
        runs[name] = run
        say(f"speed: {name}: {run['sentences_per_s']['median']:.0f} sentences/s (median)")
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
        "meets_target": runs["1 process"]["sentences_per_s"]["median"] >= TARGET_SENTENCES_PER_S,
    }


def lever_speed(
    models: dict[str, Path], sentences: Sequence[str], n_sentences: int, repeats: int
) -> dict[str, Any]:
    """One-process throughput of fold models that differ by one lever (an ablation against the
    config, same fold and seed): the speed side of each ablation. The models take turns in
    every repetition, so a slow spell of a shared machine falls on all of them alike."""
    import spacy

    from ie.ops import use_blas_ops

    use_blas_ops()
    base = list(sentences)
    texts = base * ceil(n_sentences / len(base))
    pipelines = {name: spacy.load(path) for name, path in models.items()}
    times: dict[str, list[float]] = {name: [] for name in models}
    for nlp in pipelines.values():
        for _ in nlp.pipe(texts[:WARMUP_SENTENCES]):
            pass
    for _ in range(repeats):
        for name, nlp in pipelines.items():
            times[name] += _timed(lambda p=nlp: [None for _ in p.pipe(texts)], 1)
    levers = {}
    for name, nlp in pipelines.items():
        components = _component_seconds(nlp, base)
        total = sum(components.values())
        levers[name] = {
            "model": str(models[name]),
            "sentences_per_s": _range([len(texts) / t for t in times[name]]),
            "component_shares": {k: v / total for k, v in components.items()},
        }
        say(f"levers: {name}: {levers[name]['sentences_per_s']['median']:.0f} sentences/s")
    return levers

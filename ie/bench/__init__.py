"""`python -m ie bench`: cross-report accuracy against the peers, and speed and memory.

Workshop, not runtime: it needs `corpus/` and a config, and trains pipelines. One module a
job: `cv` (leave-one-report-out trainings and the peers), `speed` (throughput and memory),
`report` (bench.md). Results go to `bench.json` (all numbers) and `bench.md`.
"""

from __future__ import annotations

import json
import os
import platform
import shlex
import time
from pathlib import Path
from typing import Any

from ie.bench.common import COMMAND, say
from ie.facts import atomic_output

# What `--ablations` trains, each a config override, in cross-validation with the first seed.
ABLATIONS: dict[str, dict[str, Any]] = {
    "without span_finder (spancat scores every clause n-gram)": {
        "nlp.pipeline": [
            "tok2vec",
            "spancat",
            "ie_span_ents",
            "ie_relations",
            "ie_numbers",
            "ie_status",
        ],
        "components.spancat.suggester.candidates_key": None,
        "training.annotating_components": [],
    },
    "relations without pooled context": {"components.ie_relations.model.use_context": False},
    "relations without pair features": {"components.ie_relations.model.pair_features": False},
    "without the domain lexicon": {"components.tok2vec.model.embed.features": ["lexicon"]},
    # The encoder before the Mish one: maxout with 3 pieces, same width, depth and window.
    "tok2vec maxout encoder, not Mish": {
        "components.tok2vec.model.encode": {
            "@architectures": "spacy.MaxoutWindowEncoder.v2",
            "width": 96,
            "window_size": 2,
            "depth": 3,
            "maxout_pieces": 3,
        },
    },
    # The attributes and the lexicon features embedded side by side and mixed once, not twice.
    "embed mixed by one Maxout layer, not two": {
        "components.tok2vec.model.embed": {
            "@architectures": "ie.CharFeatureEmbed.v2",
            "width": 96,
            "attrs": ["NORM", "SHAPE"],
            "rows": [5000, 50],
            "features": ["lexicon", "domain"],
            "feature_width": 16,
            "feature_rows": 64,
        },
    },
    "6 epochs, not 8": {"training.max_epochs": 6},
    "10 epochs, not 8": {"training.max_epochs": 10},
    "tok2vec window 1, not 2": {"components.tok2vec.model.encode.window_size": 1},
    "narrow tok2vec (width 64, depth 2)": {
        "components.tok2vec.model.encode.width": 64,
        "components.tok2vec.model.encode.depth": 2,
    },
    "relations trained on predicted entities too": {
        "components.ie_relations.train_on_predicted_ents": True,
        "training.annotating_components": ["span_finder", "spancat", "ie_span_ents"],
    },
}


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


def run(
    out_dir: Path,
    model_path: Path,
    *,
    config: Path,
    corpus_dir: Path,
    cv: bool = True,
    speed: bool = True,
    ablations: list[str] | None = None,
    seeds: tuple[int, ...] = (0, 1, 2),
    jobs: int = 2,
    speed_sentences: int = 10_000,
    repeats: int = 3,
) -> dict[str, Any]:
    """Run the benchmark, write `bench.json` and `bench.md` into `out_dir`, return the data.

    Speed runs first, before any training grows the process, so its memory figures are clean;
    with ablations, their fold models are timed against the config's after the trainings.
    """
    from ie.bench.cv import Run, cross_validation
    from ie.bench.report import markdown
    from ie.bench.speed import lever_speed
    from ie.bench.speed import speed as measure_speed
    from ie.corpus import load_corpus, report_files
    from ie.text import for_model

    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.time()
    args = ["--output", str(out_dir), "--model", str(model_path), "--config", str(config)]
    args += ["--corpus", str(corpus_dir), "--seeds", ",".join(map(str, seeds))]
    args += ["--jobs", str(jobs), "--sentences", str(speed_sentences)]
    args += ["--repeats", str(repeats)] + ([] if cv else ["--no-cv"])
    args += [] if speed else ["--no-speed"]
    ablations = list(ablations or ())
    if ablations == list(ABLATIONS):
        args += ["--ablations"]
    else:
        for name in ablations:
            args += ["--ablation", name]
    result: dict[str, Any] = {
        "command": f"{COMMAND} {shlex.join(args)}",
        "model_path": str(model_path),
        "config": str(config),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "machine": machine(),
    }
    if speed:
        reports = list(report_files(corpus_dir))
        texts = [for_model(r["text"]) for r in load_corpus(corpus_dir, {"all": reports})["all"]]
        result["speed"] = measure_speed(model_path, texts, speed_sentences, repeats)
    if cv:
        result["cv"] = cross_validation(
            config,
            out_dir / "runs",
            corpus_dir,
            seeds=seeds,
            ablations={name: ABLATIONS[name] for name in ablations},
            jobs=jobs,
        )
    if cv and speed and ablations:
        # each ablation's fold model against the config's, same fold and seed
        held = result["cv"]["reports"][0]
        models = {
            s: out_dir / "runs" / Run(s, held, (), seeds[0]).slug / "model-last"
            for s in ["model", *ablations]
        }
        result["levers"] = {
            "held_out": held,
            "seed": seeds[0],
            "speed": lever_speed(models, texts, speed_sentences, repeats),
        }
    result["duration_seconds"] = time.time() - started
    with atomic_output(out_dir / "bench.json") as f:
        f.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    with atomic_output(out_dir / "bench.md") as f:
        f.write(markdown(result))
    say(f"done in {result['duration_seconds']:.0f} s")
    return result

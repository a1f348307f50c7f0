"""Which entity recogniser: spaCy's `ner` or `spancat`? Train each alone on the train split,
over the very tok2vec of `configs/ie.cfg`, and score both on dev with the scheme's scorer.

    python training/ner_vs_spancat.py [--config configs/ie.cfg] [--output training/ner_vs_spancat]

Both configs are derived from the shipped config, so the only difference is the component that
tags the spans. spancat is `spancat_singlelabel` without overlaps (the scheme allows none), over
every n-gram up to MAX_NGRAM characters (99.7% of the gold spans are that short). Writes
`results.json` and prints a table; the figures are quoted in README.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import spacy
from thinc.api import Config

from ie.corpus import CORPUS_DIR, load_corpus, read_splits
from ie.schema import ENTITY_LABELS, SPANS_KEY
from ie.scoring import score_records
from ie.text import for_model
from ie.training import write_docbins

PROJECT = Path(__file__).resolve().parents[1]
MAX_NGRAM = 20
NER = """
[components]

[components.ner]
factory = "ner"
incorrect_spans_key = null
moves = null
scorer = {"@scorers":"spacy.ner_scorer.v1"}
update_with_oracle_cut_size = 100

[components.ner.model]
@architectures = "spacy.TransitionBasedParser.v2"
state_type = "ner"
extra_state_tokens = false
hidden_width = 64
maxout_pieces = 2
use_upper = true
nO = null

[components.ner.model.tok2vec]
@architectures = "spacy.Tok2VecListener.v1"
width = ${components.tok2vec.model.encode.width}
upstream = "tok2vec"
"""


def derived_config(base: Path, tagger: str) -> Config:
    """The shipped config's tok2vec and training settings with only `tagger` after it: its own
    spancat block (at MAX_NGRAM), or the ner block above, which the shipped config no longer has."""
    config = Config().from_disk(base, interpolate=False)
    if tagger == "ner":
        config = config.merge(Config().from_str(NER, interpolate=False))
    for name in list(config["components"]):
        if name not in ("tok2vec", tagger):
            del config["components"][name]
    if tagger == "spancat":
        config["components"]["spancat"]["spans_key"] = SPANS_KEY
        config["components"]["spancat"]["suggester"]["max_size"] = MAX_NGRAM
        weights = {"spans_sc_f": 1.0, "spans_sc_p": 0.0, "spans_sc_r": 0.0}
        config["training"]["score_weights"] = weights
    else:
        config["training"]["score_weights"] = {"ents_f": 1.0, "ents_p": 0.0, "ents_r": 0.0}
    config["nlp"]["pipeline"] = ["tok2vec", tagger]
    return config


def predicted_records(nlp: spacy.Language, records: list[dict], tagger: str) -> list[dict]:
    """The model's spans in the scheme layout (no relations: only the spans are compared)."""
    out = []
    for record, doc in zip(records, nlp.pipe(for_model(r["text"]) for r in records)):
        spans = doc.ents if tagger == "ner" else doc.spans[SPANS_KEY]
        out.append(
            {
                "text": record["text"],
                "spans": [
                    {"start": s.start_char, "end": s.end_char, "label": s.label_} for s in spans
                ],
                "relations": [],
            }
        )
    return out


def _of(results: dict[str, dict], label: str) -> list[tuple[str, dict]]:
    return [(tagger, scores[label]) for tagger, scores in results.items()]


def main(argv: list[str] | None = None) -> int:
    from spacy.cli.train import train as spacy_train

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=PROJECT / "configs" / "ie.cfg")
    parser.add_argument("--output", type=Path, default=PROJECT / "training" / "ner_vs_spancat")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    splits = read_splits()
    paths = write_docbins(args.output / "corpus", CORPUS_DIR, splits)  # spans in SPANS_KEY too
    dev = list(load_corpus(CORPUS_DIR, {"dev": splits["dev"]})["dev"])
    results = {}
    for tagger in ("ner", "spancat"):
        run = args.output / tagger
        config_path = run / "config.cfg"
        run.mkdir(parents=True, exist_ok=True)
        derived_config(args.config, tagger).to_disk(config_path)
        overrides = {
            "paths.train": str(paths["train"]),
            "paths.dev": str(paths["dev"]),
            "system.seed": args.seed,
        }
        spacy_train(config_path, output_path=run, overrides=overrides)
        nlp = spacy.load(run / "model-best")
        results[tagger] = score_records(dev, predicted_records(nlp, dev, tagger))["ents"]
    results_path = args.output / "results.json"
    results_path.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(f"dev {', '.join(splits['dev'])}; exact spans, F (P/R)")
    for label in [*ENTITY_LABELS, "micro"]:
        cells = [f"{t}: {s['f']:.3f} ({s['p']:.3f}/{s['r']:.3f})" for t, s in _of(results, label)]
        print(f"{label:10} " + "  ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())

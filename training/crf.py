"""A character CRF for the entities: the peer an NLP engineer would try first.

Chinese NER before neural taggers was a linear-chain CRF over characters with the character,
its neighbours, bigrams, the character type and dictionary-word roles. This one uses
sklearn-crfsuite (a development dependency) with exactly those features, the same pkuseg
lexicon roles the model's embedding gets, and BIO tags. It tags entities only; the bench
scores it with the scheme's scorer beside the model and the rules.

    python training/crf.py --train 002_17662059089ff12f 003_9f3c6d40ddaacece authored \\
        --test 000_3a740438e7f81a2c
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from ie.features import lexicon_features, pkuseg_automaton
from ie.text import for_model

WINDOW = 2  # neighbours on each side


def _char_type(char: str) -> str:
    if char.isdigit():
        return "d"
    if char in "〇零一二两三四五六七八九十百千万亿":
        return "n"
    if "\u4e00" <= char <= "\u9fff":
        return "h"
    if char.isascii() and char.isalpha():
        return "a"
    return unicodedata.category(char)[:1]


def sentence_features(text: str) -> list[dict[str, object]]:
    """One feature dict per character of `text` (read as the model reads it)."""
    text = for_model(text)
    roles = lexicon_features(text, pkuseg_automaton())
    padded = "^" * WINDOW + text + "$" * WINDOW
    out = []
    for i, char in enumerate(text):
        p = i + WINDOW
        f: dict[str, object] = {"bias": 1.0, "c": char, "t": _char_type(char)}
        for k in range(1, WINDOW + 1):
            f[f"c-{k}"] = padded[p - k]
            f[f"c+{k}"] = padded[p + k]
        f["b-1"] = padded[p - 1 : p + 1]
        f["b+1"] = padded[p : p + 2]
        f["t-1"] = _char_type(padded[p - 1])
        f["t+1"] = _char_type(padded[p + 1])
        mask, longest = roles[i]
        f["lex"] = f"{mask}/{longest}"
        out.append(f)
    return out


def bio_tags(record: dict) -> list[str]:
    tags = ["O"] * len(record["text"])
    for span in record["spans"]:
        tags[span["start"]] = f"B-{span['label']}"
        for i in range(span["start"] + 1, span["end"]):
            tags[i] = f"I-{span['label']}"
    return tags


def spans_of(tags: Sequence[str]) -> list[dict[str, object]]:
    """BIO tags → scheme spans; an I- without its B- starts a span (crfsuite rarely does it)."""
    spans: list[dict[str, object]] = []
    for i, tag in enumerate([*tags, "O"]):
        inside = tag.startswith("I-")
        if spans and spans[-1]["end"] == i and inside and tag[2:] == spans[-1]["label"]:
            spans[-1]["end"] = i + 1
        elif tag != "O" and i < len(tags):
            spans.append({"start": i, "end": i + 1, "label": tag[2:]})
    return spans


class CharCRF:
    """Train on scheme records, predict scheme records with spans and no relations."""

    def __init__(self, c1: float = 0.05, c2: float = 0.05, max_iterations: int = 150) -> None:
        import sklearn_crfsuite

        self.crf = sklearn_crfsuite.CRF(
            algorithm="lbfgs", c1=c1, c2=c2, max_iterations=max_iterations
        )

    def fit(self, records: Sequence[dict]) -> CharCRF:
        self.crf.fit(
            [sentence_features(r["text"]) for r in records], [bio_tags(r) for r in records]
        )
        return self

    def predict(self, records: Sequence[dict]) -> list[dict]:
        tags = self.crf.predict([sentence_features(r["text"]) for r in records])
        return [
            {"text": r["text"], "meta": r.get("meta", {}), "spans": spans_of(t), "relations": []}
            for r, t in zip(records, tags)
        ]


def main(argv: list[str] | None = None) -> int:
    from ie.corpus import CORPUS_DIR, load_corpus
    from ie.scoring import score_records

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train", nargs="+", required=True, help="report ids or 'authored'")
    parser.add_argument("--test", nargs="+", required=True, help="report ids")
    parser.add_argument("--corpus", type=Path, default=CORPUS_DIR)
    args = parser.parse_args(argv)
    data = load_corpus(args.corpus, {"train": args.train, "test": args.test})
    crf = CharCRF().fit(list(data["train"]))
    test = list(data["test"])
    scores = score_records(test, crf.predict(test))
    print(json.dumps({k: round(v["f"], 4) for k, v in scores["ents"].items()}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Corpus statistics and inter-annotator agreement, as the Markdown in corpus/README.md.

python training/corpus_stats.py
"""

from __future__ import annotations

from collections import Counter

from ie.corpus import CORPUS_DIR, load_corpus, read_jsonl
from ie.numbers import readability
from ie.schema import ENTITY_LABELS, RELATION_LABELS
from ie.scoring import score_records

AGREEMENT = CORPUS_DIR / "agreement"


def report_table() -> list[str]:
    reports = sorted(p.stem for p in CORPUS_DIR.glob("*.jsonl"))
    data = load_corpus(CORPUS_DIR, {"all": reports})["all"]
    head = ["report", "sentences", "with entities", *ENTITY_LABELS, *RELATION_LABELS]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for report in [*reports, None]:
        ds = data if report is None else data.filter(lambda r, rep=report: r["report"] == rep)
        spans = Counter(s["label"] for row in ds["spans"] for s in row)
        rels = Counter(r["label"] for row in ds["relations"] for r in row)
        with_ents = len(ds.filter(lambda r: len(r["spans"]) > 0))
        cells = [report or "**all**", len(ds), with_ents]
        cells += [spans[label] for label in ENTITY_LABELS]
        cells += [rels[label] for label in RELATION_LABELS]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    readable = readability(data)
    lines += [
        "",
        f"Numbers: {readable['spans']} AMOUNT/PERCENT spans, "
        f"{readable['unreadable']} read as `value = None` by `ie_numbers`.",
    ]
    return lines


def agreement_table() -> list[str]:
    first = sorted(AGREEMENT.glob("*.first.jsonl"))
    lines = [
        "| report | level | label | F1 (one against the other) | first | second |",
        "|---|---|---|---|---|---|",
    ]
    for path in first:
        second = path.with_name(path.name.replace(".first.", ".second."))
        a, b = list(read_jsonl(path)), list(read_jsonl(second))
        scores = score_records(a, b)
        report = path.name.split(".")[0]
        for level in ("ents", "ents_tolerant", "rels"):
            for label, s in scores[level].items():
                lines.append(
                    f"| {report} | {level} | {label} | {s['f']:.3f} | {s['gold']} | {s['pred']} |"
                )
    return lines


if __name__ == "__main__":
    print(
        "\n".join(["## Reports", "", *report_table(), "", "## Agreement", "", *agreement_table()])
    )

"""The gold corpus: the one loader, the validator, and conversion to spaCy Docs.

Every reader of `corpus/` (training, evaluation, the benchmark) goes through `load_corpus`,
which returns a 🤗 `datasets.DatasetDict` keyed by the split recorded in `corpus/splits.json`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, DocBin

from ie.schema import (
    AUTHORED_PREFIX,
    CHILD_LABELS,
    ENTITY_LABELS,
    HEAD_LABELS,
    PARTS,
    RELATION_LABELS,
    SPANS_KEY,
    STATUSES,
    ensure_doc_extensions,
    period_problem,
    relation_offsets,
    span_problem,
    year_problem,
)
from ie.text import for_model

CORPUS_DIR = Path(__file__).resolve().parent.parent / "corpus"
SPLITS_FILE = "splits.json"
AUTHORED = "authored"  # in a split: every file of corpus/authored/, the team's own sentences
META_STRINGS = ("source", "part", "region", "level", "place")


def read_splits(corpus_dir: Path = CORPUS_DIR) -> dict[str, list[str]]:
    """The split of reports recorded in `corpus/splits.json` (report ids, no extension)."""
    return json.loads((corpus_dir / SPLITS_FILE).read_text(encoding="utf-8"))


def report_files(corpus_dir: Path = CORPUS_DIR) -> dict[str, Path]:
    """Gold files of the real reports by report id (the file name without `.jsonl`)."""
    return {p.stem: p for p in sorted(corpus_dir.glob("*.jsonl"))}


def authored_files(corpus_dir: Path = CORPUS_DIR) -> dict[str, Path]:
    """The files of sentences the team wrote: training material, never a test."""
    return {p.stem: p for p in sorted((corpus_dir / AUTHORED).glob("*.jsonl"))}


def split_files(corpus_dir: Path, names: Iterable[str]) -> list[Path]:
    """The files of a split's entries: report ids, or `authored` for the whole written set."""
    reports = report_files(corpus_dir)
    files: list[Path] = []
    for name in names:
        if name == AUTHORED:
            files += authored_files(corpus_dir).values()
        elif name in reports:
            files.append(reports[name])
        else:
            raise FileNotFoundError(f"{corpus_dir}: no gold file for {name!r}")
    return files


def load_corpus(corpus_dir: Path = CORPUS_DIR, splits: dict[str, list[str]] | None = None):
    """Load the gold corpus as a `DatasetDict` with one split per entry of `splits`.

    Each row is a scheme record plus `report`, the report id (for written sentences, their
    file), for grouping; optional keys the scheme allows are present and None where absent.
    """
    from datasets import Dataset, DatasetDict

    splits = splits or read_splits(corpus_dir)
    out = {}
    for name, entries in splits.items():
        rows = [
            _normalised(record, path.stem)
            for path in split_files(corpus_dir, entries)
            for record in read_jsonl(path)
        ]
        out[name] = Dataset.from_list(rows, features=_features())
    return DatasetDict(out)


def is_authored(record: dict) -> bool:
    return str(record.get("meta", {}).get("source", "")).startswith(AUTHORED_PREFIX)


def _normalised(record: dict, report: str) -> dict:
    meta = record.get("meta", {})
    return {
        "text": record["text"],
        "meta": {
            **{k: meta.get(k) for k in META_STRINGS},
            "sentence": meta.get("sentence"),
            "year": meta.get("year"),
        },
        "spans": [{k: s[k] for k in ("start", "end", "label")} for s in record["spans"]],
        "relations": [
            {
                **{k: r[k] for k in ("head", "child", "label")},
                "status": r.get("status"),
                "period": r.get("period"),
            }
            for r in record["relations"]
        ],
        "report": report,
    }


def _features():
    from datasets import Features, Value

    return Features(
        {
            "text": Value("string"),
            "meta": {
                **{k: Value("string") for k in META_STRINGS},
                "sentence": Value("int64"),
                "year": Value("int64"),
            },
            "spans": [{"start": Value("int64"), "end": Value("int64"), "label": Value("string")}],
            "relations": [
                {
                    "head": Value("int64"),
                    "child": Value("int64"),
                    "label": Value("string"),
                    "status": Value("string"),
                    "period": Value("string"),
                }
            ],
            "report": Value("string"),
        }
    )


# --- validation ---------------------------------------------------------------------------


def validate_record(record: object) -> list[str]:
    """Problems with one scheme record, as short messages (empty when it is valid)."""
    if not isinstance(record, dict):
        return ["not a JSON object"]
    text = record.get("text")
    if not isinstance(text, str) or not text:
        return ["no `text` string"]
    problems: list[str] = _meta_problems(record.get("meta", {}))
    spans = record.get("spans", [])
    relations = record.get("relations", [])
    if not isinstance(spans, list) or not isinstance(relations, list):
        return ["`spans` and `relations` must be lists"]
    previous_end, previous = -1, None
    for i, span in enumerate(spans):
        try:
            start, end, label = span["start"], span["end"], span["label"]
        except (TypeError, KeyError):
            problems.append(f"span {i}: needs start, end and label")
            continue
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            problems.append(
                f"span {i}: offsets {start}-{end} outside the text (length {len(text)})"
            )
            continue
        if label not in ENTITY_LABELS:
            problems.append(f"span {i}: unknown label {label!r}")
        if start < previous_end:
            problems.append(f"span {i}: overlaps or precedes span {previous}")
        previous_end, previous = max(previous_end, end), i
        if why := span_problem(text[start:end]):
            problems.append(f"span {i}: {text[start:end]!r} {why}")
        if text[start:end] != text[start:end].strip():
            problems.append(f"span {i}: {text[start:end]!r} starts or ends with whitespace")
    seen = set()
    for i, rel in enumerate(relations):
        try:
            head, child, label = rel["head"], rel["child"], rel["label"]
        except (TypeError, KeyError):
            problems.append(f"relation {i}: needs head, child and label")
            continue
        if label not in RELATION_LABELS:
            problems.append(f"relation {i}: unknown label {label!r}")
        if not all(isinstance(x, int) and 0 <= x < len(spans) for x in (head, child)):
            problems.append(f"relation {i}: head {head} or child {child} is not a span index")
            continue
        if spans[head].get("label") not in HEAD_LABELS:
            problems.append(
                f"relation {i}: head is {spans[head].get('label')}, not INDICATOR/PROJECT"
            )
        if spans[child].get("label") not in CHILD_LABELS:
            problems.append(
                f"relation {i}: child is {spans[child].get('label')}, not AMOUNT/PERCENT"
            )
        if rel.get("status") not in STATUSES:
            problems.append(f"relation {i}: status {rel.get('status')!r} is not one of {STATUSES}")
        if "period" not in rel:
            problems.append(f"relation {i}: no period")
        elif why := period_problem(rel["period"]):
            problems.append(f"relation {i}: {why}")
        if (head, child) in seen:
            problems.append(f"relation {i}: a second relation between spans {head} and {child}")
        seen.add((head, child))
    return problems


def _meta_problems(meta: object) -> list[str]:
    """`meta.year` and `meta.part`, where present, must be what the scheme allows."""
    if not isinstance(meta, dict):
        return ["`meta` must be an object"]
    problems = []
    if "year" in meta and (why := year_problem(meta["year"])):
        problems.append(f"meta.{why}")
    if "part" in meta and meta["part"] not in PARTS:
        problems.append(f"meta.part {meta['part']!r} is not one of {PARTS}")
    return problems


def validate_file(path: Path) -> list[str]:
    """Problems in a scheme JSONL file, each as `file:line: message`."""
    problems = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                problems.append(f"{path}:{n}: empty line")
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                problems.append(f"{path}:{n}: not JSON ({err.msg})")
                continue
            problems.extend(f"{path}:{n}: {p}" for p in validate_record(record))
    return problems


# --- Docs ---------------------------------------------------------------------------------


def record_to_doc(nlp: Language, record: dict) -> Doc:
    """A gold Doc: the model's text (same length as `text`), entities and relations."""
    ensure_doc_extensions()
    doc = nlp.make_doc(for_model(record["text"]))
    ents = []
    for span in record["spans"]:
        ent = doc.char_span(
            span["start"], span["end"], label=span["label"], alignment_mode="expand"
        )
        ents.append(ent)
    doc.ents = [e for e in ents if e is not None]
    doc.spans[SPANS_KEY] = list(doc.ents)  # what spancat learns from
    doc._.relations = relation_offsets(record)
    return doc


def records_to_docbin(nlp: Language, records: Iterable[dict]) -> DocBin:
    """Gold Docs in a DocBin, keeping `doc._.relations` (user data) for the relation pipe."""
    db = DocBin(store_user_data=True)
    for record in records:
        db.add(record_to_doc(nlp, record))
    return db


def read_jsonl(path: Path) -> Iterator[dict]:
    """Records of a scheme JSONL file, in order."""
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)

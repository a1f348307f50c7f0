"""Reading what the user hands `predict` (raw reports or scheme JSONL) and running the model.

Inputs are streamed: one sentence at a time goes to `nlp.pipe`, so memory does not grow
with the number of files.
"""

from __future__ import annotations

import json
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import IO, Any

from spacy.language import Language
from spacy.tokens import Doc

from ie.facts import doc_to_record
from ie.schema import PARTS, ensure_doc_extensions, year_problem
from ie.text import InputError, decode, for_model, model_pieces, outline, sentences_of

WORKER_CHUNK = 64  # sentences a worker process takes at a time


@dataclass
class Item:
    """One sentence to predict: its scheme record (`text`, `meta`), extra output keys, for a
    raw report the place in the raw input of each of the sentence's characters, and for a
    JSONL line where it stands (`file:line`, for messages about it)."""

    record: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)
    raw_offsets: tuple[int, ...] | None = None
    where: str = ""


def _read_bytes(path: str, stdin: IO[bytes] | None) -> bytes:
    if path == "-":
        if stdin is None:
            raise InputError("standard input is not available here")
        return stdin.read()
    try:
        return Path(path).read_bytes()
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror})") from None


def _jsonl_items(path: str, text: str) -> Iterator[Item]:
    n_records = 0
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise InputError(f"{path}:{n}: not valid JSON ({err.msg})") from None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise InputError(f'{path}:{n}: no "text" string in this line')
        if not record["text"]:
            raise InputError(f'{path}:{n}: empty "text"')
        meta = record.get("meta", {})
        if not isinstance(meta, dict):
            raise InputError(f'{path}:{n}: "meta" is not an object')
        if "year" in meta and (why := year_problem(meta["year"])):
            raise InputError(f"{path}:{n}: meta.{why}")
        if "sentence" in meta and type(meta["sentence"]) is not int:
            raise InputError(f"{path}:{n}: meta.sentence {meta['sentence']!r} is not an integer")
        if "part" in meta and meta["part"] not in PARTS:
            raise InputError(f"{path}:{n}: meta.part {meta['part']!r} is not review or plan")
        # the facts table joins rows to sentences by these two
        record["meta"] = {"source": Path(path).name, "sentence": n_records} | meta
        n_records += 1
        yield Item(record, where=f"{path}:{n}")
    if not n_records:
        raise InputError(f"{path}: no JSON lines in this file")


def _report_items(path: str, raw: str) -> Iterator[Item]:
    cleaned, sentences = sentences_of(raw)
    if not sentences:
        raise InputError(f"{path}: no report text found")
    source = "<stdin>" if path == "-" else Path(path).name
    report = outline([s.text for s in sentences])
    for i, sentence in enumerate(sentences):
        start, end = cleaned.raw_span(sentence.start, sentence.end)
        meta = {"source": source, "sentence": i, "year": report.year, "part": report.parts[i]}
        raw_offsets = cleaned.offsets[sentence.start : sentence.end]
        yield Item({"text": sentence.text, "meta": meta}, {"offset": [start, end]}, raw_offsets)


def read_inputs(paths: Iterable[str], stdin: IO[bytes] | None) -> Iterator[Item]:
    """Items from every input, in order; JSONL lines are taken as given, never re-split."""
    for path in paths:
        data = _read_bytes(path, stdin)
        try:
            text = decode(data)
        except InputError as err:
            raise InputError(f"{path}: {err}") from None
        if path.endswith(".jsonl"):
            yield from _jsonl_items(path, text)
        else:
            yield from _report_items(path, text)


def make_doc(nlp: Language, record: dict[str, Any]) -> Doc:
    """The Doc the pipeline reads: the model's text, and the report's year and the part."""
    ensure_doc_extensions()
    doc = nlp.make_doc(for_model(record["text"]))
    meta = record.get("meta") or {}
    doc._.report_year, doc._.report_part = meta.get("year"), meta.get("part")
    return doc


def predict_records(
    nlp: Language, items: Iterable[Item], n_process: int = 1, batch_size: int | None = None
) -> Iterator[dict[str, Any]]:
    """Scheme records with predictions, in input order; the model reads Simplified text of the
    same length.

    `batch_size` defaults to the model's own `nlp.batch_size`: memory grows with the batch
    (the shipped config says how large a batch pays). The report's
    year and the sentence's part (from the report's outline, or `meta` of a JSONL line) go
    onto each Doc before the pipeline, for the status reader. A sentence longer than
    `ie.text.MODEL_MAX_CHARS` goes through the model in pieces and comes out as one record.
    With `n_process` > 1, worker processes each run the whole pipeline (see `_in_workers`)."""
    if n_process > 1:
        yield from _in_workers(nlp, items, n_process, batch_size)
        return
    done: list[tuple[dict[str, Any], int]] = []
    stream = nlp.pipe(_pieces(nlp, items), as_tuples=True, batch_size=batch_size)
    for doc, (item, start, end, last) in stream:
        meta = item.record.get("meta", {})
        done.append((doc_to_record(doc, item.record["text"][start:end], meta), start))
        if not last:
            continue
        record = _joined(item.record["text"], meta, done)
        done.clear()
        if item.raw_offsets is not None:  # offsets count characters of the raw input
            for span in record["spans"]:
                span["raw_start"] = item.raw_offsets[span["start"]]
                span["raw_end"] = item.raw_offsets[span["end"] - 1] + 1
        record.update(item.extra)
        yield record


_worker_nlp: Language | None = None  # the pipeline of a worker process (`_in_workers`)


def _start_worker(nlp: Language) -> None:
    global _worker_nlp
    _worker_nlp = nlp


def _worker_records(chunk: list[Item], batch_size: int | None) -> list[dict[str, Any]]:
    assert _worker_nlp is not None, "_start_worker runs first in every worker"
    return list(predict_records(_worker_nlp, chunk, 1, batch_size))


def _in_workers(
    nlp: Language, items: Iterable[Item], n_process: int, batch_size: int | None
) -> Iterator[dict[str, Any]]:
    """Records from `n_process` workers, each running the pipeline on chunks of sentences.

    Workers send back records, not Docs: spaCy's `nlp.pipe(n_process=...)` ships every Doc
    back through msgpack, which here cost more than the pipeline itself, so two processes
    ran slower than one. The items are read here, so a bad input fails as with one process;
    at most two chunks per worker are in flight, so memory does not grow with the input.
    Workers are forked where the platform can (the pipeline is shared, not pickled)."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    pool = ProcessPoolExecutor(n_process, context, initializer=_start_worker, initargs=(nlp,))
    pending: deque[Future[list[dict[str, Any]]]] = deque()
    iterator = iter(items)
    try:
        while chunk := list(islice(iterator, WORKER_CHUNK)):
            pending.append(pool.submit(_worker_records, chunk, batch_size))
            if len(pending) >= 2 * n_process:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _pieces(
    nlp: Language, items: Iterable[Item]
) -> Iterator[tuple[Doc, tuple[Item, int, int, bool]]]:
    """The Docs the model reads, with their item, their start and end in the sentence (so the
    piece's own text is not rebuilt from the Doc), and whether it is the last."""
    for item in items:
        text = item.record["text"]
        bounds = model_pieces(text)
        for k, (start, end) in enumerate(bounds):
            piece = item.record if len(bounds) == 1 else item.record | {"text": text[start:end]}
            yield make_doc(nlp, piece), (item, start, end, k == len(bounds) - 1)


def _joined(text: str, meta: dict[str, Any], parts: list[tuple[dict, int]]) -> dict[str, Any]:
    """One record from the records of a sentence's pieces, offsets shifted into the sentence."""
    if len(parts) == 1:
        return parts[0][0]
    spans: list[dict[str, Any]] = []
    relations: list[dict[str, Any]] = []
    for part, start in parts:
        shift = len(spans)
        spans += [s | {"start": s["start"] + start, "end": s["end"] + start} for s in part["spans"]]
        relations += [
            r | {"head": r["head"] + shift, "child": r["child"] + shift} for r in part["relations"]
        ]
    return {"text": text, "meta": meta, "spans": spans, "relations": relations}

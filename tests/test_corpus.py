"""The gold corpus: the loader's splits, the written corpus kept apart, what it covers."""

from __future__ import annotations

import sys
from pathlib import Path

from ie.corpus import (
    AUTHORED,
    CORPUS_DIR,
    authored_files,
    is_authored,
    load_corpus,
    read_jsonl,
    read_splits,
    report_files,
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from training.corpus_stats import coverage  # noqa: E402
from training.markup import MarkupError, parse_line, to_markup, to_records  # noqa: E402


def test_authored_sentences_are_marked_and_never_a_report() -> None:
    files = authored_files(CORPUS_DIR)
    assert len(files) >= 40
    for path in files.values():
        for record in read_jsonl(path):
            assert is_authored(record) and record["meta"]["source"] == f"authored-{path.stem}"
    assert not any(name.startswith("authored") for name in report_files(CORPUS_DIR))


def test_loader_puts_authored_where_the_split_says() -> None:
    reports = list(report_files(CORPUS_DIR))
    data = load_corpus(CORPUS_DIR, {"train": [reports[0], AUTHORED], "test": [reports[1]]})
    train, test = list(data["train"]), list(data["test"])
    assert not any(is_authored(r) for r in test)
    assert sum(is_authored(r) for r in train) == sum(
        1 for p in authored_files(CORPUS_DIR).values() for _ in read_jsonl(p)
    )
    assert {r["report"] for r in test} == {reports[1]}
    assert test[0]["meta"]["year"] and test[0]["meta"]["region"] is None  # optional keys: None
    assert read_splits(CORPUS_DIR)["dev"] == []  # the shipped model trains on everything


def test_written_corpus_covers_what_the_breadth_issue_asks() -> None:
    records = [r for p in authored_files(CORPUS_DIR).values() for r in read_jsonl(p)]
    c = coverage(records)
    assert c["sentences"] >= 2500
    assert c["distinct_indicators"] >= 700 and c["distinct_projects"] >= 500
    assert c["top_indicator_share"] <= 0.03
    assert c["no_entity_share"] >= 0.15 and c["noisy_share"] >= 0.03
    assert len(c["regions"]) >= 25 and set(c["levels"]) == {"city", "district", "county", "zone"}
    assert c["years"][0] <= 2015 and c["years"][-1] >= 2025
    assert set(c["statuses"]) == {"actual", "estimate", "target"}


def test_markup_round_trips_a_real_report(tmp_path: Path) -> None:
    path = next(iter(report_files(CORPUS_DIR).values()))
    records = list(read_jsonl(path))
    markup = tmp_path / "report.txt"
    markup.write_text(to_markup(records), encoding="utf-8")
    again = to_records(markup)
    assert len(again) == len(records)
    for a, b in zip(records, again):
        assert (a["text"], a["meta"], a["spans"]) == (b["text"], b["meta"], b["spans"])
        key = lambda r: (r["head"], r["child"], r["label"], r["status"], r["period"])  # noqa: E731
        assert sorted(map(key, a["relations"])) == sorted(map(key, b["relations"]))


def test_markup_line() -> None:
    record = parse_line(
        "actual 2022 | 去年{{地区生产总值|I1}}增长{{5%|P>1C}}，"
        "今年力争增长{{6%|P>1C=target/2023}}。"
    )
    assert record["text"] == "去年地区生产总值增长5%，今年力争增长6%。"
    assert record["spans"][0] == {"start": 2, "end": 8, "label": "INDICATOR"}
    assert [(r["status"], r["period"]) for r in record["relations"]] == [
        ("actual", "2022"),
        ("target", "2023"),
    ]
    for bad, message in (
        ("| {{5%|P>1C}}", "links to head 1"),
        ("| {{地区|I1}}{{5%|P>1C}}", "opens with `STATUS PERIOD |`"),
        ("actual 22 | {{地区|I1}}{{5%|P>1C}}", "period '22'"),
        ("| {{地区|X}}", "tag 'X'"),
    ):
        try:
            parse_line(bad)
        except MarkupError as err:
            assert message in str(err)
        else:
            raise AssertionError(bad)

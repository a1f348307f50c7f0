"""The facts table: one row per fact, declared types, and the writers built on it."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser

import pyarrow.parquet as pq
import pytest

from ie.facts import (
    FACT_COLUMNS,
    human_number,
    record_facts,
    write_csv,
    write_html,
    write_parquet,
    write_table,
)

TEXT = "全市地区生产总值186.4亿元，增长4.6%；城乡居民收入分别增长5%和6%，约3万人受益。"


def _span(label: str, piece: str, nth: int = 0, **extra: object) -> dict:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(piece, start + 1)
    return {"start": start, "end": start + len(piece), "label": label, **extra}


def _record() -> dict:
    spans = [
        _span("INDICATOR", "地区生产总值"),
        _span("AMOUNT", "186.4亿元", value=18_640_000_000.0, unit="元", approx=[]),
        _span("PERCENT", "4.6%", value=4.6, unit="%", approx=[]),
        _span("INDICATOR", "城乡居民收入"),
        _span("PERCENT", "5%", value=5.0, unit="%", approx=[]),
        _span("PERCENT", "6%", 1, value=6.0, unit="%", approx=[]),
        _span("AMOUNT", "3万人", value=30_000.0, unit="人", approx=["约"]),
    ]
    rel = {"status": "actual", "period": "2022", "score": 0.9}
    relations = [
        {"head": 0, "child": 2, "label": "CHANGE", "direction": "+", **rel},
        {"head": 0, "child": 1, "label": "VALUE", **rel},
        {"head": 3, "child": 4, "label": "CHANGE", "direction": "+", **rel},
        {"head": 3, "child": 5, "label": "CHANGE", "direction": "+", **rel},
    ]
    meta = {"source": "r.txt", "sentence": 7}
    return {"text": TEXT, "meta": meta, "spans": spans, "relations": relations}


def test_a_value_and_a_change_of_one_indicator_share_a_row() -> None:
    rows = list(record_facts(_record()))
    assert [(r["indicator"], r["value_text"], r["change_text"]) for r in rows] == [
        ("地区生产总值", "186.4亿元", "4.6%"),
        ("城乡居民收入", None, "5%"),
        ("城乡居民收入", None, "6%"),
        (None, "3万人", None),  # linked to nothing: a row of its own
    ]
    first = rows[0]
    assert first["value"] == 18_640_000_000.0 and first["unit"] == "元"
    assert first["change"] == 4.6 and first["change_unit"] == "%" and first["direction"] == "+"
    assert (first["status"], first["period"], first["sentence"]) == ("actual", "2022", 7)
    assert TEXT[first["indicator_start"] : first["indicator_end"]] == "地区生产总值"
    assert TEXT[first["change_start"] : first["change_end"]] == "4.6%"
    assert rows[3]["approx"] == "约" and rows[3]["kind"] is None


def test_a_different_status_or_period_is_another_fact() -> None:
    record = _record()
    record["relations"][0] |= {"status": "target", "period": "2023"}
    rows = [r for r in record_facts(record) if r["indicator"] == "地区生产总值"]
    assert [(r["value_text"], r["change_text"], r["status"]) for r in rows] == [
        ("186.4亿元", None, "actual"),
        (None, "4.6%", "target"),
    ]


def test_offsets_point_into_the_raw_input_when_spans_carry_them() -> None:
    record = _record()
    for span in record["spans"]:
        span["raw_start"], span["raw_end"] = span["start"] + 100, span["end"] + 100
    row = next(record_facts(record))
    assert (row["indicator_start"], row["value_end"]) == (102, 115)


def test_human_numbers() -> None:
    assert human_number(22_700_000_000.0, "元", None) == "22,700,000,000 元"
    assert human_number(5.5, "%", None) == "5.5%"
    assert human_number(0.25, "个百分点", "约") == "0.25 个百分点 (约)"
    assert human_number(None, "元", None) == ""


def test_csv_has_the_declared_columns_and_no_header_without_records() -> None:
    out = io.StringIO()
    assert write_csv([_record()], out) == 4
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert tuple(rows[0]) == FACT_COLUMNS and rows[0]["sentence"] == "7"
    empty = io.StringIO()
    assert write_csv([], empty) == 0 and empty.getvalue() == ""


def test_parquet_types_are_declared_not_inferred() -> None:
    out = io.BytesIO()
    write_parquet([_record()], out)
    schema = pq.read_table(io.BytesIO(out.getvalue())).schema
    assert str(schema.field("sentence").type) == "int32"
    assert str(schema.field("value").type) == "double"
    assert str(schema.field("change_start").type) == "int32"
    assert str(schema.field("indicator").type) == "string"


def test_table_fits_an_80_column_terminal_and_names_the_report(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "80")  # what a terminal of 80 columns tells rich
    out = io.StringIO()
    write_table([_record()], out)
    lines = out.getvalue().splitlines()
    assert lines[0].strip() == "r.txt"
    assert max(len(line) for line in lines) <= 80
    assert any("18,640,000,000 元" in line and "↑ 4.6%" in line for line in lines)


class _Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_has_title_legend_report_heading_facts_first_and_a_toggle() -> None:
    empty = dict(_record(), text="各位代表：", spans=[], relations=[])
    out = io.StringIO()
    assert write_html([_record(), empty], out) == 2
    page = _Outline()
    page.feed(out.getvalue())
    tags = page.tags
    assert "title" in tags and tags.index("h2") < tags.index("table") < tags.index("details")
    text = "".join(page.text)
    assert "r.txt" in text and "All 2 sentences" in text and "18,640,000,000 元" in text
    held = out.getvalue().split("<details>")[0]
    assert "各位代表" not in held  # sentences without facts only behind the toggle

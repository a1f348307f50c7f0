"""Status and period: the rules of `ie_status`, the report outline, and their scores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy

from ie.corpus import CORPUS_DIR, read_jsonl, report_files
from ie.scoring import attribute_accuracy
from ie.status import read_status
from ie.text import for_model, outline


@pytest.mark.parametrize(
    ("text", "number", "year", "part", "expected"),
    [
        # the sentence's own words first
        ("预计全年地区生产总值完成227亿元,增速3.7%", "3.7%", 2023, "review", ("estimate", "2022")),
        ("力争地区生产总值增长6%左右", "6%", 2023, "review", ("target", "2023")),
        ("去年完成2亿元，今年力争增长6%", "2亿元", 2023, "plan", ("actual", "2022")),
        ("去年完成2亿元，今年力争增长6%", "6%", 2023, "plan", ("target", "2023")),
        ("城镇调查失业率控制在5.5%以内", "5.5%", 2022, None, ("target", "2022")),
        ("五年来累计完成固定资产投资1120亿元", "1120亿元", 2021, "review", ("actual", "2016-2020")),
        ("“十四五”时期新增就业2万人", "2万人", 2022, "plan", ("target", "2021-2025")),
        ("2021—2025年累计完成投资500亿元", "500亿元", 2026, "review", ("actual", "2021-2025")),
        ("2024年研学游人次突破12万", "12万", 2025, "plan", ("actual", "2024")),
        # a plan name or target word elsewhere does not govern the number (G57)
        (
            "编制“十四五”规划,实现发展目标;发挥15个专班作用",
            "15个",
            2023,
            "review",
            ("actual", "2022"),
        ),
        ("落实安全生产十五条硬措施,包保16项重点事项", "16项", 2023, "review", ("actual", "2022")),
        # a year or plan that is a base of comparison is not the period; spans of years
        (
            "经济总量由2010年的62.3亿元增加到108.6亿元",
            "108.6亿元",
            2016,
            "review",
            ("actual", "2015"),
        ),
        ("旅游收入恢复到2019年的86%", "86%", 2022, "review", ("actual", "2021")),
        ("投资680亿元,是“十一五”时期的2.6倍", "2.6倍", 2016, "review", ("actual", "2015")),
        ("地区生产总值增长8.6%，两年平均增长4.9%", "4.9%", 2022, "review", ("actual", "2020-2021")),
        ("今后五年，地区生产总值年均增长7%以上", "7%", 2022, "plan", ("target", "2022-2026")),
        # then the part, then the year; nothing known: actual, no period
        ("地区生产总值增长6%", "6%", 2024, "plan", ("target", "2024")),
        ("地区生产总值增长6%", "6%", 2024, "review", ("actual", "2023")),
        ("地区生产总值增长6%", "6%", None, None, ("actual", None)),
    ],
)
def test_read_status(text: str, number: str, year, part, expected: tuple) -> None:
    start = text.index(number)
    reading = read_status(text, start, start + len(number), year, part)
    assert (reading.status, reading.period) == expected


def test_outline_of_the_real_reports() -> None:
    """Year and the plan heading of each report, checked by reading them."""
    expected = {"000": (2023, None), "002": (2023, 154), "003": (2025, 124)}
    for report, path in report_files(CORPUS_DIR).items():
        records = list(read_jsonl(path))
        found = outline([r["text"] for r in records])
        year, plan_from = expected[report[:3]]
        assert found.year == year
        first_plan = found.parts.index("plan") if "plan" in found.parts else None
        assert first_plan == plan_from
        # the gold part agrees with the outline wherever the text has no back-looking block
        for r, part in zip(records[: plan_from or len(records)], found.parts):
            assert r["meta"]["part"] == part


def test_outline_reads_a_december_date_line_as_next_year() -> None:
    lines = ["政府工作报告", "——2022年12月24日在区第十九届人民代表大会第三次会议上", "各位代表:"]
    assert outline(lines).year == 2023
    assert outline(["——2023年1月6日在市人民代表大会上"]).year == 2023
    assert outline(["各位代表:", "现在我代表政府报告工作。"]).year is None


def test_component_reads_doc_context() -> None:
    nlp = spacy.blank("zh")
    nlp.add_pipe("ie_status")
    doc = nlp.make_doc(for_model("地区生产总值增长6%"))
    doc._.report_year, doc._.report_part = 2024, "plan"
    doc._.relations = [{"head": [0, 6], "child": [8, 10], "label": "CHANGE", "score": 1.0}]
    doc = nlp(doc)
    assert (doc._.relations[0]["status"], doc._.relations[0]["period"]) == ("target", "2024")


def test_status_rules_on_the_gold_relations() -> None:
    """The rules reproduce the hand-read gold of every relation of the three real reports."""
    for path in report_files(CORPUS_DIR).values():
        for r in read_jsonl(path):
            text = for_model(r["text"])
            for rel in r["relations"]:
                child = r["spans"][rel["child"]]
                got = read_status(
                    text, child["start"], child["end"], r["meta"]["year"], r["meta"]["part"]
                )
                assert (got.status, got.period) == (rel["status"], rel["period"]), r["text"]


def test_attribute_accuracy_counts_only_matched_relations() -> None:
    spans = [
        {"start": 0, "end": 6, "label": "INDICATOR"},
        {"start": 8, "end": 10, "label": "PERCENT"},
        {"start": 11, "end": 15, "label": "AMOUNT"},
    ]
    gold = {
        "text": "地区生产总值增长6%,达到320亿元",
        "spans": spans,
        "relations": [
            {"head": 0, "child": 1, "label": "CHANGE", "status": "target", "period": "2024"},
            {"head": 0, "child": 2, "label": "VALUE", "status": "target", "period": "2024"},
        ],
    }
    pred = json.loads(json.dumps(gold))
    pred["relations"][0]["status"] = "actual"  # status wrong, period right
    pred["relations"][1]["label"] = "CHANGE"  # does not match: not counted
    acc = attribute_accuracy([gold], [pred])
    assert acc == {"status": 0.0, "period": 1.0, "n": 1}


def test_predict_carries_outline_and_meta(tiny_model: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from ie.cli import app

    raw = next((Path(__file__).parent.parent / "corpus" / "raw").glob("002_*.txt"))
    out = tmp_path / "p.jsonl"
    result = CliRunner().invoke(
        app, ["predict", str(raw), "--model", str(tiny_model), "-f", "jsonl", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {r["meta"]["year"] for r in records} == {2023}
    assert records[154]["meta"]["part"] == "plan" and records[153]["meta"]["part"] == "review"
    for r in records:
        for rel in r["relations"]:
            assert rel["period"] == ("2023" if rel["status"] == "target" else rel["period"])
            assert rel["status"] in ("actual", "estimate", "target")

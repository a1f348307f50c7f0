"""The cleaner and splitter: real report furniture, page markers, pinyin, encodings, offsets."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ie.text import InputError, clean, decode, for_model, sentences_of, split_sentences

RAW = Path(__file__).resolve().parent.parent / "corpus" / "raw"


def report(prefix: str) -> str:
    return decode(next(RAW.glob(f"{prefix}_*.txt")).read_bytes())


def test_site_menu_and_teaser_are_dropped() -> None:
    cleaned = clean(report("000")).text
    assert cleaned.startswith("2023年新抚区政府工作报告\n各位代表:")
    assert "会员登录" not in cleaned and "您现在的位置" not in cleaned
    # The teaser repeats the opening on one line with the title; only the real opening stays.
    assert cleaned.count("在辽宁省“一圈一带两区”") == 1


def test_forum_furniture_is_dropped() -> None:
    cleaned = clean(report("002")).text
    for junk in ("签到天数", "Rank:", "积分", "回帖", "客服中心", "010-63691786", "Powered by"):
        assert junk not in cleaned
    assert cleaned.startswith("2023年大连市沙河口区政府工作报告\n")
    assert cleaned.rstrip().endswith("而团结奋斗!")
    assert "\n    " not in cleaned  # indentation removed


def test_pinyin_and_footnotes_removed_glossary_kept() -> None:
    cleaned = clean(report("003")).text
    assert "(xiàn)" not in cleaned and "(qū)" not in cleaned
    assert "[1]" not in cleaned and "檢測系統投入使用" in cleaned
    assert "48.“三不腐”" in cleaned  # glossary at the end is part of the body
    assert "諸暨縣(現諸暨市)" in cleaned  # real parentheses stay


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("各位代表:\n全市\n3、经济运行稳中向好。", "各位代表:\n全市经济运行稳中向好。"),
        ("各位代表:\n完成投资1\n7、.5亿元。", "各位代表:\n完成投资1.5亿元。"),
        ("各位代表:\n現(xiàn)在[2]。", "各位代表:\n現在。"),
    ],
)
def test_page_markers_pinyin_footnotes(raw: str, expected: str) -> None:
    assert clean(raw).text == expected


def test_list_items_after_a_full_stop_are_kept() -> None:
    text = "各位代表:\n任务如下。\n1、发放消费券500万元。"
    assert clean(text).text == text


def test_offsets_round_trip_on_every_report() -> None:
    for path in sorted(RAW.glob("*.txt")):
        raw = decode(path.read_bytes())
        cleaned, sentences = sentences_of(raw)
        assert all(raw[o] == c for o, c in zip(cleaned.offsets, cleaned.text))
        for s in sentences:
            start, end = cleaned.raw_span(s.start, s.end)
            # Only deleted characters (pinyin, footnotes) may differ between the two.
            assert raw[start] == s.text[0] and raw[end - 1] == s.text[-1]


def test_sentence_split() -> None:
    text = "全年增长5.5%。总量达到320亿元！“十四五”开局良好。”下一句\n标题行"
    assert [s.text for s in split_sentences(text)] == [
        "全年增长5.5%。",
        "总量达到320亿元！",
        "“十四五”开局良好。”",
        "下一句",
        "标题行",
    ]
    for s in split_sentences(text):
        assert text[s.start : s.end] == s.text


def test_semicolons_and_commas_stay_inside() -> None:
    assert len(split_sentences("一是增长5%；二是下降3%，三是持平。")) == 1


def test_decoding() -> None:
    text = "地区生产总值增长5.5%。"
    assert decode(text.encode("utf-8")) == text
    assert decode(b"\xef\xbb\xbf" + text.encode("utf-8")) == text
    assert decode(text.encode("gbk")) == text
    assert decode(text.encode("gb18030")) == text
    with pytest.raises(InputError, match="binary"):
        decode(b"\x00\x01\x02PK\x03\x04" * 50)
    with pytest.raises(InputError, match="empty"):
        decode(b"")


def test_for_model_keeps_length() -> None:
    text = "地區生產總值增長５．５％，達到3.2億元"
    out = for_model(text)
    assert len(out) == len(text)
    assert out == "地区生产总值增长5.5%,达到3.2亿元"


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("各位代表:全市\n3、1.5亿元(xiàn)[1] 。登录積分現區"))
        | st.characters(),
        max_size=80,
    )
)
def test_cleaner_properties(raw: str) -> None:
    cleaned = clean(raw)
    assert len(cleaned.offsets) == len(cleaned.text)
    assert all(0 <= o < len(raw) and raw[o] == c for o, c in zip(cleaned.offsets, cleaned.text))
    assert list(cleaned.offsets) == sorted(set(cleaned.offsets))
    assert clean(cleaned.text).text == cleaned.text


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_for_model_same_length(text: str) -> None:
    assert len(for_model(text)) == len(text)

"""The scores every README figure goes through, on cases small enough to count by hand."""

from __future__ import annotations

import pytest

from ie.scoring import attribute_accuracy, prf, relation_scores, score_records

TEXT = "全区地区生产总值增长5%，投资3亿元建设滨河公园二期工程。"


def _span(start: int, end: int, label: str) -> dict:
    return {"start": start, "end": end, "label": label}


def _gold() -> dict:
    spans = [
        _span(2, 8, "INDICATOR"),  # 地区生产总值
        _span(10, 12, "PERCENT"),  # 5%
        _span(15, 18, "AMOUNT"),  # 3亿元
        _span(20, 26, "PROJECT"),  # 滨河公园二期
    ]
    relations = [
        {"head": 0, "child": 1, "label": "CHANGE", "status": "actual", "period": "2023"},
        {"head": 3, "child": 2, "label": "VALUE", "status": "actual", "period": "2023"},
    ]
    return {"text": TEXT, "spans": spans, "relations": relations}


def _pred() -> dict:
    spans = [
        _span(2, 8, "INDICATOR"),  # right
        _span(10, 12, "PERCENT"),  # right
        _span(14, 18, "AMOUNT"),  # 资3亿元: one character too many
        _span(20, 28, "PROJECT"),  # 滨河公园二期工程: overlaps the gold PROJECT
    ]
    relations = [
        {"head": 0, "child": 1, "label": "CHANGE", "status": "target", "period": "2023"},
        {"head": 3, "child": 2, "label": "VALUE", "status": "actual", "period": "2023"},
    ]
    return {"text": TEXT, "spans": spans, "relations": relations}


def test_the_text_is_what_the_offsets_say() -> None:
    assert [TEXT[s["start"] : s["end"]] for s in _gold()["spans"]] == [
        "地区生产总值",
        "5%",
        "3亿元",
        "滨河公园二期",
    ]


def test_prf_by_hand() -> None:
    assert prf(2, 3, 4) == pytest.approx(
        {"p": 2 / 3, "r": 0.5, "f": 4 / 7, "tp": 2, "pred": 3, "gold": 4}
    )
    assert prf(0, 0, 0)["f"] == 0.0


def test_exact_entities_and_micro() -> None:
    ents = score_records([_gold()], [_pred()])["ents"]
    assert ents["INDICATOR"]["f"] == ents["PERCENT"]["f"] == 1.0
    assert ents["AMOUNT"]["f"] == ents["PROJECT"]["f"] == 0.0
    assert (ents["micro"]["tp"], ents["micro"]["pred"], ents["micro"]["gold"]) == (2, 4, 4)
    assert ents["micro"]["f"] == pytest.approx(0.5)


def test_tolerant_entities_count_any_overlap_once() -> None:
    pred = _pred()
    pred["spans"].append(_span(22, 24, "PROJECT"))  # a second overlap of the same gold span
    tolerant = score_records([_gold()], [pred])["ents_tolerant"]
    assert tolerant["PROJECT"]["tp"] == 1 and tolerant["PROJECT"]["pred"] == 2
    assert tolerant["PROJECT"]["f"] == pytest.approx(2 * 0.5 * 1 / 1.5)
    assert tolerant["INDICATOR"]["f"] == 1.0


def test_relations_end_to_end_need_both_spans_exact() -> None:
    rels = score_records([_gold()], [_pred()])["rels"]
    assert rels["CHANGE"]["f"] == 1.0
    assert rels["VALUE"]["tp"] == 0  # its AMOUNT and PROJECT spans are both off
    assert rels["micro"]["f"] == pytest.approx(0.5)


def test_relations_on_gold_entities_score_the_links_alone() -> None:
    on_gold = _gold()
    on_gold["relations"] = [
        {"head": 0, "child": 1, "label": "VALUE"},  # wrong label
        {"head": 3, "child": 2, "label": "VALUE"},
    ]
    rels = score_records([_gold()], [on_gold])["rels"]
    assert rels["VALUE"]["p"] == 0.5 and rels["VALUE"]["r"] == 1.0
    assert rels["CHANGE"]["r"] == 0.0 and rels["micro"]["f"] == pytest.approx(0.5)


def test_status_and_period_are_read_on_matched_relations_only() -> None:
    acc = attribute_accuracy([_gold()], [_pred()])
    assert acc == {"status": 0.0, "period": 1.0, "n": 1}  # the VALUE did not match end to end
    assert attribute_accuracy([_gold()], [_gold()]) == {"status": 1.0, "period": 1.0, "n": 2}


def test_records_must_line_up() -> None:
    with pytest.raises(ValueError, match="1 gold records but 2 predicted"):
        score_records([_gold()], [_pred(), _pred()])
    with pytest.raises(ValueError, match="record 0: gold and predicted text differ"):
        score_records([_gold()], [dict(_pred(), text=TEXT + "。")])


def test_duplicate_predictions_do_not_count_twice() -> None:
    pred = _gold()
    pred["spans"].append(_span(2, 8, "INDICATOR"))
    ents = score_records([_gold()], [pred])["ents"]
    assert ents["INDICATOR"]["tp"] == 1 and ents["INDICATOR"]["p"] == 0.5


def test_spacy_style_relation_scores() -> None:
    gold = [{"head": (2, 8), "child": (10, 12), "label": "CHANGE"}]
    pred = gold + [{"head": (2, 8), "child": (15, 18), "label": "VALUE"}]
    scores = relation_scores([(gold, pred)])
    assert scores["rel_micro_p"] == 0.5 and scores["rel_micro_r"] == 1.0
    assert scores["rel_f_per_type"]["CHANGE"]["f"] == 1.0
    assert scores["rel_f_per_type"]["VALUE"]["p"] == 0.0

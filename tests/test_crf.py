"""The CRF peer: BIO conversion both ways, and that it learns."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from ie.scoring import score_records  # noqa: E402
from training.crf import CharCRF, bio_tags, spans_of  # noqa: E402


def test_bio_round_trip() -> None:
    record = {
        "text": "地区生产总值增长5%",
        "spans": [
            {"start": 0, "end": 6, "label": "INDICATOR"},
            {"start": 8, "end": 10, "label": "PERCENT"},
        ],
    }
    tags = bio_tags(record)
    assert tags[:2] == ["B-INDICATOR", "I-INDICATOR"] and tags[6] == "O"
    assert spans_of(tags) == record["spans"]
    assert spans_of(["I-AMOUNT", "I-AMOUNT", "B-AMOUNT"]) == [
        {"start": 0, "end": 2, "label": "AMOUNT"},
        {"start": 2, "end": 3, "label": "AMOUNT"},
    ]


def test_crf_learns_its_training_sentences(sample: list[dict]) -> None:
    crf = CharCRF(max_iterations=60).fit(sample)
    scores = score_records(sample, crf.predict(sample))
    assert scores["ents"]["AMOUNT"]["f"] > 0.8 and scores["ents"]["micro"]["f"] > 0.6

"""The rule baseline and a quick benchmark run (no training: no CV, no ablations)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ie.baseline import predict_record
from ie.corpus import CORPUS_DIR, read_jsonl, read_splits, report_files, validate_record

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "configs" / "ie.cfg"
SENTENCE = "全年地区生产总值增长5.5%，总量达到320亿元。"
TRADITIONAL = "全年地區生產總值增長5.5％，總量達到320億元。"


def facts(record: dict) -> set[tuple[str, str, str]]:
    """(head, label, number) triples of a record, as text."""
    text, spans = record["text"], record["spans"]

    def span(i: int) -> str:
        return text[spans[i]["start"] : spans[i]["end"]]

    return {(span(r["head"]), r["label"], span(r["child"])) for r in record["relations"]}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SENTENCE, {("地区生产总值", "CHANGE", "5.5%"), ("地区生产总值", "VALUE", "320亿元")}),
        (TRADITIONAL, {("地區生產總值", "CHANGE", "5.5％"), ("地區生產總值", "VALUE", "320億元")}),
    ],
)
def test_baseline_finds_facts(text: str, expected: set) -> None:
    record = predict_record(text, {"source": "x.txt", "sentence": 3})
    assert validate_record(record) == []
    assert record["text"] == text and record["meta"] == {"source": "x.txt", "sentence": 3}
    labels = {text[s["start"] : s["end"]]: s["label"] for s in record["spans"]}
    assert labels[next(iter(expected))[0]] == "INDICATOR"
    assert facts(record) == expected


def test_baseline_number_patterns() -> None:
    record = predict_record("完善12个工作专班，城镇化率提高到65%，增加0.8个百分点，吸纳两千余人。")
    assert facts(record) == {
        ("工作专班", "VALUE", "12个"),
        ("城镇化率", "VALUE", "65%"),
        ("城镇化率", "CHANGE", "0.8个百分点"),
    }
    numbers = [record["text"][s["start"] : s["end"]] for s in record["spans"]]
    assert "两千余人" in numbers
    assert predict_record("2024年是“十四五”规划的关键一年。")["spans"] == []


def test_baseline_records_valid_on_corpus() -> None:
    for path in report_files(CORPUS_DIR).values():
        for gold in read_jsonl(path):
            assert validate_record(predict_record(gold["text"], gold["meta"])) == []


@pytest.fixture(scope="module")
def quick(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """One real quick run: no training, the smallest speed run."""
    from ie.bench import run

    out = tmp_path_factory.mktemp("bench")
    result = run(
        out, tiny_model, config=CONFIG, cv=False, ablations=False, speed_sentences=200, repeats=1
    )
    return out, result


def test_quick_bench(quick: tuple[Path, dict]) -> None:
    out, result = quick
    data = json.loads((out / "bench.json").read_text(encoding="utf-8"))
    assert data == json.loads(json.dumps(result))
    assert data["command"].startswith("python -m ie bench ")
    assert "--no-cv" in data["command"] and "--no-ablations" in data["command"]
    assert data["cv"] is None and data["ablations"] is None
    speed = data["speed"]
    assert speed["n_sentences"] >= 200 and speed["model_bytes"] > 0
    for n_process in ("1", "2"):
        assert speed["pipe"][n_process]["sentences_per_s"]["median"] > 0
        assert speed["pipe"][n_process]["peak_rss_mb"] > 0
    accuracy = data["accuracy"]
    for system in ("model", "baseline"):
        assert set(accuracy[system]["ents"]) == {
            "AMOUNT",
            "PERCENT",
            "INDICATOR",
            "PROJECT",
            "micro",
        }
        assert accuracy[system]["rels"]["micro"]["gold"] > 0
    assert "micro" in accuracy["model"]["rels_on_gold_ents"]
    assert accuracy["baseline"]["ents"]["PERCENT"]["f"] > 0.5
    md = (out / "bench.md").read_text(encoding="utf-8")
    for heading in ("## Accuracy", "## Leave-one-report-out", "## Ablations", "## Speed"):
        assert heading in md
    assert "`--no-ablations`" in md and "python -m ie bench" in md
    assert not list(out.glob(".bench.*"))  # no temporary files left behind


def test_cv_and_ablations_without_training(
    quick: tuple[Path, dict], tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CV and ablation code paths, with training replaced by a copy of the tiny model."""
    import shutil

    import ie.bench as bench

    calls = []

    def fake_train(config: Path, output: Path, **kwargs) -> dict[str, float]:
        calls.append(kwargs)
        for name in ("model-best", "model-last"):
            shutil.copytree(tiny_model, output / name)
        return dict.fromkeys(bench.CV_METRICS, 0.5) | {"rels_VALUE_f": 0.5}

    monkeypatch.setattr(bench, "train_pipeline", fake_train)
    done: dict = {}
    cv = bench.cross_validation(CONFIG, tmp_path / "cv", seed=3, done=done)
    reports = list(report_files(CORPUS_DIR))
    assert [f["held_out"] for f in cv["folds"]] == reports
    for fold, call in zip(cv["folds"], calls):
        assert call["splits"] == {"train": fold["train_reports"], "dev": [fold["held_out"]]}
        assert fold["held_out"] not in fold["train_reports"] and call["seed"] == 3
    summary = cv["summary"]["model"]["ents_micro_f"]
    assert summary["mean"] == 0.5 and summary["std"] == 0.0 and summary["n"] == len(reports)
    assert cv["summary"]["baseline"]["ents_PERCENT_f"]["n"] >= 1

    n_cv = len(calls)
    ablations = bench.run_ablations(CONFIG, tmp_path / "ablations", seed=3, done=done)
    runs = bench.ablation_runs(CONFIG)
    # The full run is the CV fold that holds out the dev report: reused, not trained again.
    assert [c["overrides"] for c in calls[n_cv:]] == list(runs.values())[1:]
    assert set(ablations["runs"]) == set(runs)
    dev_fold = next(f for f in cv["folds"] if [f["held_out"]] == read_splits()["dev"])
    assert ablations["runs"]["full"]["train_seconds"] == dev_fold["train_seconds"]

    md = bench.markdown(quick[1] | {"cv": cv, "ablations": ablations})
    assert "±" in md and "no relation context" in md and "model-last" in md


def test_feature_ablations_go_both_ways(tmp_path: Path) -> None:
    """A feature group the config has is taken away; one it lacks is added."""
    import ie.bench as bench

    text = CONFIG.read_text(encoding="utf-8")
    for shipped in ([], ["lexicon"], ["lexicon", "numbers"]):
        config = tmp_path / "ie.cfg"
        config.write_text(
            re.sub(r"(?m)^features = .*$", f"features = {json.dumps(shipped)}", text),
            encoding="utf-8",
        )
        runs = bench.ablation_runs(config)
        assert runs["no relation context"] == {"components.ie_relations.model.use_context": False}
        for group, name in bench.FEATURE_NAMES.items():
            if group in shipped:
                rest = [g for g in shipped if g != group]
                assert runs[f"without {name}"] == {bench.FEATURES_KEY: rest}
            else:
                assert runs[f"with {name}"] == {bench.FEATURES_KEY: [*shipped, group]}

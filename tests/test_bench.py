"""The rule baseline and a quick benchmark run (no training: no CV, no ablations)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ie.baseline import predict_record
from ie.bench import ABLATIONS
from ie.corpus import CORPUS_DIR, read_jsonl, report_files, validate_record

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
        out,
        tiny_model,
        config=CONFIG,
        corpus_dir=CORPUS_DIR,
        cv=False,
        speed_sentences=200,
        repeats=1,
    )
    return out, result


def test_quick_bench(quick: tuple[Path, dict]) -> None:
    out, result = quick
    data = json.loads((out / "bench.json").read_text(encoding="utf-8"))
    assert data == json.loads(json.dumps(result))
    assert data["command"].startswith("python -m ie bench ") and "--no-cv" in data["command"]
    assert "cv" not in data
    speed = data["speed"]
    assert speed["n_sentences"] >= 200 and speed["model_bytes"] > 0
    assert speed["n_distinct_sentences"] == sum(
        1 for p in report_files(CORPUS_DIR).values() for _ in read_jsonl(p)
    )
    size = speed["batch_size"]
    runs = ["1 process", "2 processes", f"1 process, batch {2 * size}", "1 process, blis"]
    assert list(speed["pipe"]) == runs
    assert [r["batch_size"] for r in speed["pipe"].values()] == [size, size, 2 * size, size]
    for run in speed["pipe"].values():
        assert run["sentences_per_s"]["median"] > 0 and run["peak_rss_mb"] > 0
    assert "ie_status" in speed["component_seconds"]
    md = (out / "bench.md").read_text(encoding="utf-8")
    assert "## Speed and memory" in md and "python -m ie bench" in md
    assert not list(out.glob(".bench.*"))  # no temporary files left behind


def test_cv_plan_holds_out_each_real_report() -> None:
    from ie.bench.cv import plan
    from ie.corpus import AUTHORED

    reports = list(report_files(CORPUS_DIR))
    runs = plan(reports, seeds=(0, 1, 2), ablations={"x": {"a.b": 1}})
    assert len(runs) == len(reports) * (3 + 1 + 1)
    for run in runs:
        assert run.held_out in reports and run.held_out not in run.train
        assert set(run.train) - {AUTHORED} == set(reports) - {run.held_out}
        assert (AUTHORED in run.train) == (run.system != "model, real reports only")
    assert {r.seed for r in runs if r.system == "model"} == {0, 1, 2}
    assert {r.seed for r in runs if r.system != "model"} == {0}
    assert len({r.slug for r in runs}) == len(runs)


@pytest.mark.parametrize("name", sorted(ABLATIONS))
def test_every_ablation_builds_a_pipeline(name: str) -> None:
    """An ablation is hours of training: a key that is not in the config, or an architecture
    that does not take the settings, must fail here, not after the first fold."""
    import spacy

    config = spacy.util.load_config(CONFIG, overrides=ABLATIONS[name], interpolate=False)
    nlp = spacy.util.load_model_from_config(config, auto_fill=True, validate=True)
    assert nlp.pipe_names[0] == "tok2vec"


def test_cached_trainings_are_keyed_by_what_training_reads(tmp_path: Path) -> None:
    """A corrected meta.source keeps a fold's cached result; a changed span does not."""
    from ie.bench.cv import Run, _digest

    config = tmp_path / "ie.cfg"
    config.write_text("[nlp]\n", encoding="utf-8")
    (tmp_path / "authored").mkdir()
    record = {
        "text": "地区生产总值增长5%。",
        "meta": {"source": "authored-a-01", "year": 2023, "part": "review"},
        "spans": [{"start": 0, "end": 6, "label": "INDICATOR"}],
        "relations": [],
    }
    gold = {"text": "投资3亿元。", "meta": {"source": "r.txt"}, "spans": [], "relations": []}
    (tmp_path / "r.jsonl").write_text(json.dumps(gold, ensure_ascii=False) + "\n", "utf-8")
    written = tmp_path / "authored" / "a-01.jsonl"
    run = Run(system="model", held_out="r", train=("authored",))

    def key(rec: dict) -> str:
        written.write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
        return _digest(config, tmp_path, run)

    before = key(record)
    assert key({**record, "meta": {**record["meta"], "source": "authored-b-01"}}) == before
    assert key({**record, "spans": [{"start": 0, "end": 4, "label": "INDICATOR"}]}) != before
    assert key({**record, "meta": {**record["meta"], "part": "plan"}}) != before


def test_cached_trainings_are_keyed_by_the_configs_settings_not_its_comments(
    tmp_path: Path,
) -> None:
    """Mending a comment keeps a fold's cached result; changing a setting does not."""
    from ie.bench.cv import Run, _digest

    (tmp_path / "r.jsonl").write_text("", encoding="utf-8")
    run = Run(system="model", held_out="r", train=())
    config = tmp_path / "ie.cfg"

    def key(text: str) -> str:
        config.write_text(text, encoding="utf-8")
        return _digest(config, tmp_path, run)

    before = key("[nlp]\n# sixteen is fastest\nbatch_size = 16\n")
    assert key("[nlp]\n# measured: 32 is faster\n\nbatch_size   =  16\n") == before
    assert key("[nlp]\nbatch_size = 32\n") != before


def test_summary_means_over_reports_then_spread_over_seeds() -> None:
    """By hand: seed 0 means 0.6, seed 1 means 0.8; their mean 0.7, sample std 0.1414."""
    from ie.bench.cv import summarise

    values = {(0, "a"): 0.5, (0, "b"): 0.7, (1, "a"): 0.9, (1, "b"): 0.7}
    results = [
        {"run": {"system": "model", "seed": seed, "held_out": held}, "ents_micro_f": f}
        for (seed, held), f in values.items()
    ]
    s = summarise(results, ["a", "b"])["model"]["ents_micro_f"]
    assert s["mean"] == pytest.approx(0.7) and s["seed_std"] == pytest.approx(0.1414, abs=1e-4)
    assert (s["min"], s["max"], s["seeds"]) == (0.5, 0.9, 2)
    # a metric a run does not report has no mean rather than a wrong one
    assert summarise(results, ["a", "b"])["model"]["rels_micro_f"]["mean"] is None


def test_cv_markdown(quick: tuple[Path, dict]) -> None:
    from ie.bench.report import markdown

    results = [
        {
            "run": {"system": system, "seed": 0, "held_out": "r1"},
            "train_seconds": 1.0,
            "ents_micro_f": 0.5,
        }
        for system in ("model", "CRF", "rules")
    ]
    from ie.bench.cv import summarise

    cv = {
        "seeds": [0],
        "n_sentences": {"r1": 10},
        "ablations": {},
        "results": results,
        "summary": summarise(results, ["r1"]),
    }
    md = markdown(quick[1] | {"cv": cv})
    assert "## Leave-one-report-out cross-validation" in md
    assert "| CRF | 0.500 (0.500–0.500) |" in md


def test_levers_time_each_model_and_sit_beside_accuracy(tiny_model: Path) -> None:
    from wasabi import MarkdownRenderer

    from ie.bench.report import _levers
    from ie.bench.speed import lever_speed

    texts = ["全年地区生产总值增长5.5%。", "投资27亿元的城市更新项目开工。"]
    speed = lever_speed({"model": tiny_model, "x": tiny_model}, texts, 8, 2)
    assert list(speed) == ["model", "x"]
    for lever in speed.values():
        assert lever["sentences_per_s"]["min"] > 0
        assert sum(lever["component_shares"].values()) == pytest.approx(1.0)
    results = [
        {"run": {"system": system, "seed": seed, "held_out": held}, "ents_micro_f": f}
        | {m: 0.5 for m in ("ents_INDICATOR_f", "ents_PROJECT_f", "rels_micro_f")}
        for system, seed, held, f in [
            ("model", 0, "a", 0.8),
            ("model", 0, "b", 0.6),
            ("model", 1, "a", 0.1),  # another seed: not in the seed-0 row
            ("x", 0, "a", 0.4),
            ("x", 0, "b", 0.4),
        ]
    ]
    md = MarkdownRenderer()
    _levers(md, {"seed": 0, "held_out": "a", "speed": speed}, {"results": results})
    rows = {line.split(" | ")[0].strip("| "): line for line in md.text.splitlines()}
    assert rows["the config"].split(" | ")[3] == "0.700"
    assert rows["x"].split(" | ")[3] == "0.400"

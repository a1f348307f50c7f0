"""The command line end to end, and every bad input it must refuse cleanly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ie.cli import app

ROOT = Path(__file__).resolve().parent.parent
RAW = next((ROOT / "corpus" / "raw").glob("000_*.txt"))
GOLD = ROOT / "corpus" / f"{RAW.stem}.jsonl"
runner = CliRunner()


def run(*args: str, input: bytes | None = None):
    return runner.invoke(app, list(args), input=input, catch_exceptions=False)


def test_help_lists_commands() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "ie", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for command in ("train", "predict", "evaluate", "validate", "info", "bench"):
        assert command in out
    for command in ("train", "predict", "evaluate", "validate", "info", "bench"):
        assert "Example" in run(command, "--help").output


def test_missing_dependency_is_one_line() -> None:
    """A Python without the project's dependencies gets told what to install, not a traceback."""
    code = (
        "import runpy, sys; sys.modules['typer'] = None; sys.argv = ['ie', '--help']; "
        "runpy.run_module('ie', run_name='__main__')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 1
    assert "'typer' is not installed" in out.stderr and "pip install" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_validate_corpus() -> None:
    files = sorted(str(p) for p in (ROOT / "corpus").glob("*.jsonl"))
    assert len(files) == 3
    result = run("validate", *files)
    assert result.exit_code == 0, result.output


def test_validate_reports_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    record = {
        "text": "增长5%",
        "spans": [{"start": 0, "end": 2, "label": "PERCENT"}, {"start": 1, "end": 9, "label": "X"}],
        "relations": [{"head": 0, "child": 0, "label": "VALUE"}],
    }
    bad.write_text(json.dumps(record, ensure_ascii=False) + "\n{oops\n", encoding="utf-8")
    result = run("validate", str(bad))
    assert result.exit_code == 1
    assert f"{bad}:1: span 1: offsets 1-9 outside the text" in result.output
    assert f"{bad}:1: relation 0: head is PERCENT" in result.output
    assert f"{bad}:1: relation 0: status None is not one of" in result.output
    assert f"{bad}:1: relation 0: no period" in result.output
    assert f"{bad}:2: not JSON" in result.output


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"meta": {"year": 1900}}, "meta.year 1900 is not an integer from 1949 to 2100"),
        ({"meta": {"part": "body"}}, "meta.part 'body' is not one of"),
        ({"period": "2025-2021"}, "period '2025-2021' is not a year or a rising span"),
        ({"period": "2022年"}, "period '2022年' is not null, 'YYYY' or 'YYYY-YYYY'"),
        ({"status": "planned"}, "status 'planned' is not one of"),
        ({"text": "地区生产总值,增长5%", "end": 9}, "'地区生产总值,增长' crosses ,"),
        ({"text": "“专精特新企业增长5%", "end": 7}, "splits a pair of “”"),
    ],
)
def test_validate_version_2(tmp_path: Path, change: dict, message: str) -> None:
    """Status, period, meta.year/part and span edges: each break is named with file and line."""
    record = {
        "text": change.get("text", "地区生产总值增长5%"),
        "meta": change.get("meta", {"year": 2023, "part": "review"}),
        "spans": [
            {"start": 0, "end": change.get("end", 6), "label": "INDICATOR"},
            {
                "start": len(change.get("text", "地区生产总值增长5%")) - 2,
                "end": 99,
                "label": "PERCENT",
            },
        ],
        "relations": [
            {
                "head": 0,
                "child": 1,
                "label": "CHANGE",
                "status": change.get("status", "actual"),
                "period": change.get("period", "2022"),
            }
        ],
    }
    record["spans"][1]["end"] = len(record["text"])
    bad = tmp_path / "v2.jsonl"
    bad.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    result = run("validate", str(bad))
    assert result.exit_code == 1
    assert f"{bad}:1: " in result.output and message in result.output, result.output


def test_predict_raw_report_csv(tiny_model: Path, tmp_path: Path) -> None:
    out = tmp_path / "facts.csv"
    result = run("predict", str(RAW), "--model", str(tiny_model), "-o", str(out))
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("report,sentence,indicator,kind,value,unit,approx,value_text,change")
    assert len(lines) > 20


def test_predict_raw_report_jsonl_offsets(tiny_model: Path, tmp_path: Path) -> None:
    out = tmp_path / "p.jsonl"
    run("predict", str(RAW), "--model", str(tiny_model), "--format", "jsonl", "-o", str(out))
    raw = RAW.read_text(encoding="utf-8")
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 55
    for r in records:
        start, end = r["offset"]
        assert raw[start:end] == r["text"]  # report 000 has no pinyin or footnotes to drop


def test_predict_jsonl_lines_up_with_gold_and_evaluate(tiny_model: Path, tmp_path: Path) -> None:
    out = tmp_path / "p.jsonl"
    run("predict", str(GOLD), "--model", str(tiny_model), "-o", str(out))
    gold = [json.loads(x) for x in GOLD.read_text(encoding="utf-8").splitlines()]
    pred = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [g["text"] for g in gold] == [p["text"] for p in pred]
    assert [g["meta"] for g in gold] == [p["meta"] for p in pred]
    errors = tmp_path / "errors.jsonl"
    result = run(
        "evaluate", str(GOLD), "--model", str(tiny_model), "--json", "--errors", str(errors)
    )
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    assert set(scores) >= {"ents", "ents_tolerant", "rels", "rels_on_gold_ents"}
    assert errors.read_text(encoding="utf-8").count('"error"') > 0


@pytest.mark.parametrize("fmt", ["table", "html", "parquet", "csv"])
def test_predict_formats(tiny_model: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"out.{fmt}"
    result = run("predict", str(GOLD), "--model", str(tiny_model), "-f", fmt, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 100
    if fmt == "parquet":
        import pyarrow.parquet as pq

        assert "indicator" in pq.read_table(out).column_names
    if fmt == "html":
        assert "<mark" in out.read_text(encoding="utf-8")


def test_predict_stdin_gbk(tiny_model: Path) -> None:
    text = "各位代表:\n全年地區生產總值增長5.5%。\n"
    result = run(
        "predict",
        "-",
        "--model",
        str(tiny_model),
        "-f",
        "jsonl",
        input=text.encode("gb18030"),
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in result.output.splitlines()]
    assert lines[1]["text"] == "全年地區生產總值增長5.5%。"


def test_info_json(tiny_model: Path) -> None:
    result = run("info", "--model", str(tiny_model), "--json")
    data = json.loads(result.output)
    assert data["pipeline"][-2:] == ["ie_numbers", "ie_status"]
    assert set(data["labels"]["spancat"]) == {"AMOUNT", "PERCENT", "INDICATOR", "PROJECT"}
    assert data["trained_on"] == ["tiny"]
    assert {"model_path", "pipeline", "labels", "cross_validation"} <= set(data)


def _bad(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "empty"),
        ("binary.txt", b"\x00\x01\x02\x03" * 100, "binary"),
        ("latin.txt", bytes(range(0x80, 0xFF)) * 3, "neither UTF-8 nor GBK"),
        ("bad.jsonl", b'{"text": "a"}\n{not json\n', "bad.jsonl:2: not valid JSON"),
        ("notext.jsonl", b'{"meta": {}}\n', 'notext.jsonl:1: no "text"'),
        ("furniture.txt", "登录 注册\n".encode(), "no report text found"),
        (
            "year.jsonl",
            '{"text": "增长5%", "meta": {"year": "2023"}}\n'.encode(),
            "year.jsonl:1: meta.year '2023' is not an integer from 1949 to 2100",
        ),
        (
            "sentence.jsonl",
            '{"text": "增长5%", "meta": {"sentence": "3"}}\n'.encode(),
            "sentence.jsonl:1: meta.sentence '3' is not an integer",
        ),
        (
            "part.jsonl",
            '{"text": "增长5%", "meta": {"year": 2023, "part": "plans"}}\n'.encode(),
            "part.jsonl:1: meta.part 'plans' is not review or plan",
        ),
    ],
)
def test_bad_inputs(tiny_model: Path, tmp_path: Path, name: str, data: bytes, message: str) -> None:
    path = _bad(tmp_path, name, data)
    out = tmp_path / "out.csv"
    out.write_text("precious", encoding="utf-8")
    result = run("predict", str(path), "--model", str(tiny_model), "-o", str(out))
    assert result.exit_code != 0
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert out.read_text(encoding="utf-8") == "precious"  # nothing overwritten


def test_missing_path_and_broken_model(tiny_model: Path, tmp_path: Path) -> None:
    result = run("predict", str(tmp_path / "nope.txt"), "--model", str(tiny_model))
    assert result.exit_code != 0 and "no such file" in result.stderr
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.cfg").write_text("[nlp\nlang = zh", encoding="utf-8")
    result = run("predict", str(RAW), "--model", str(broken))
    assert result.exit_code != 0 and "cannot load the model" in result.stderr
    result = run("predict", str(RAW), "--model", str(tmp_path))
    assert result.exit_code != 0 and "no model at" in result.stderr
    result = run("evaluate", str(tmp_path / "gold.jsonl"), "--model", str(tiny_model))
    assert result.exit_code != 0 and "no such file" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["predict", "{raw}", "--format", "xml"], "unknown format 'xml'"),
        (["predict", "{raw}", "--format", "parquet"], "parquet needs an output file"),
        (["predict", "{raw}", "--batch-size", "0"], "must be at least 1"),
        (["predict", "{raw}", "--n-process", "0"], "must be at least 1"),
        (["predict", "{raw}", "-o", "{tmp}"], "is a directory"),
        (["predict", "{tmp}"], "no .txt or .jsonl files"),
        (["evaluate", "{raw}"], "gold must be a .jsonl file"),
        (["train", "--config", "{tmp}/nope.cfg"], "no such config"),
        (["bench", "--config", "{tmp}/nope.cfg"], "no such config"),
        (["bench", "--no-cv", "--sentences", "0"], "must be at least 1"),
        (["bench", "--seeds", "0,x"], "--seeds '0,x'"),
        (["bench", "--ablation", "no such thing"], "not one of"),
        (["train", "--corpus", "{tmp}"], "no corpus here"),
    ],
)
def test_bad_options(tiny_model: Path, tmp_path: Path, args: list[str], message: str) -> None:
    """Each is refused with one line on stderr before any work starts."""
    args = [a.format(raw=RAW, tmp=tmp_path) for a in args]
    if args[0] in ("predict", "evaluate", "bench"):
        args += ["--model", str(tiny_model)]
    result = run(*args)
    assert result.exit_code != 0
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not list(tmp_path.iterdir())  # nothing written


def test_long_lines_and_many_sentences(tiny_model: Path, tmp_path: Path) -> None:
    long_line = "全年地区生产总值增长5.5%，" * 2000 + "。"
    path = tmp_path / "long.txt"
    path.write_text(
        "各位代表:\n" + long_line + "\n" + "新增城镇就业3200人。\n" * 3000, encoding="utf-8"
    )
    out = tmp_path / "long.jsonl"
    result = run("predict", str(path), "--model", str(tiny_model), "-f", "jsonl", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert len(out.read_text(encoding="utf-8").splitlines()) == 3002


def test_output_format_follows_the_file_name(tiny_model: Path, tmp_path: Path) -> None:
    out = tmp_path / "facts.parquet"
    result = run("predict", str(RAW), "--model", str(tiny_model), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:4] == b"PAR1"
    clash = tmp_path / "facts2.parquet"
    result = run("predict", str(RAW), "--model", str(tiny_model), "-f", "csv", "-o", str(clash))
    assert result.exit_code != 0 and not clash.exists()
    assert (
        result.stderr.strip() == "error: --format csv does not match the output file facts2.parquet"
    )


def test_output_files_respect_the_umask(tiny_model: Path, tmp_path: Path) -> None:
    import os

    old = os.umask(0o022)
    try:
        out = tmp_path / "new.csv"
        assert run("predict", str(RAW), "--model", str(tiny_model), "-o", str(out)).exit_code == 0
        assert out.stat().st_mode & 0o777 == 0o644
        kept = tmp_path / "kept.csv"
        kept.write_text("old", encoding="utf-8")
        kept.chmod(0o640)
        assert run("predict", str(RAW), "--model", str(tiny_model), "-o", str(kept)).exit_code == 0
        assert kept.stat().st_mode & 0o777 == 0o640 and kept.read_text() != "old"
    finally:
        os.umask(old)


def test_utf16_input_reads_like_utf8(tiny_model: Path, tmp_path: Path) -> None:
    text = RAW.read_text(encoding="utf-8")
    outputs = []
    for name, data in (("u8.txt", text.encode("utf-8")), ("u16.txt", text.encode("utf-16"))):
        path = _bad(tmp_path, name, data)
        result = run("predict", str(path), "--model", str(tiny_model), "-f", "jsonl")
        assert result.exit_code == 0, result.output
        outputs.append([json.loads(x)["relations"] for x in result.stdout.splitlines()])
    assert outputs[0] == outputs[1] and any(outputs[0])


def test_evaluate_refuses_bad_gold_before_scoring(tiny_model: Path, tmp_path: Path) -> None:
    record = {
        "text": "地区生产总值增长5%",
        "spans": [{"start": 0, "end": 6, "label": "INDICATOR"}],
        "relations": [
            {"head": 0, "child": 3, "label": "CHANGE", "status": "actual", "period": "2022"}
        ],
    }
    gold = _bad(tmp_path, "gold.jsonl", (json.dumps(record, ensure_ascii=False) + "\n").encode())
    result = run("evaluate", str(gold), "--model", str(tiny_model))
    assert result.exit_code != 0
    assert result.stderr.strip() == (
        f"error: {gold}:1: relation 0: head 0 or child 3 is not a span index"
    )
    result = run("evaluate", str(GOLD), "--model", str(tiny_model), "--errors", str(tmp_path))
    assert result.exit_code != 0 and "cannot write the errors file there" in result.stderr


def test_sigterm_leaves_no_temporary_file(tmp_path: Path) -> None:
    """A run stopped by SIGTERM half-way removes its temporary file and exits non-zero."""
    import signal
    import time

    big = tmp_path / "big.txt"
    big.write_text(RAW.read_text(encoding="utf-8") * 40, encoding="utf-8")
    out = tmp_path / "out.csv"
    proc = subprocess.Popen(
        [sys.executable, "-m", "ie", "predict", str(big), "-o", str(out)],
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".out.csv.*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert list(tmp_path.glob(".out.csv.*")), "the run never started writing"
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM
    assert stderr.strip().splitlines()[-1] == "error: stopped by SIGTERM; nothing was written"
    assert not list(tmp_path.glob(".out.csv.*")) and not out.exists()


def test_spans_carry_their_place_in_the_raw_input(tmp_path: Path) -> None:
    """Report 003 loses pinyin, footnote marks and page furniture in cleaning; every predicted
    span still starts and ends on its own characters in the raw file."""
    raw_path = next((ROOT / "corpus" / "raw").glob("003_*.txt"))
    raw = raw_path.read_text(encoding="utf-8-sig")
    result = run("predict", str(raw_path), "-f", "jsonl")
    assert result.exit_code == 0, result.output
    n = 0
    for line in result.stdout.splitlines():
        record = json.loads(line)
        for span in record["spans"]:
            text = record["text"][span["start"] : span["end"]]
            assert raw[span["raw_start"]] == text[0] and raw[span["raw_end"] - 1] == text[-1]
            n += 1
    assert n > 300


def test_a_bad_line_with_two_processes_fails_without_hanging(
    tiny_model: Path, tmp_path: Path
) -> None:
    lines = GOLD.read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join([*lines[:20], '{"text": 5}', *lines[20:]]) + "\n", encoding="utf-8")
    command = [sys.executable, "-m", "ie", "predict", str(bad), "--model", str(tiny_model)]
    proc = subprocess.run(
        [*command, "--n-process", "2", "-f", "csv"], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 1
    assert proc.stderr.strip() == f'error: {bad}:21: no "text" string in this line'


def test_a_bad_first_input_writes_nothing_to_stdout(tiny_model: Path, tmp_path: Path) -> None:
    bad = _bad(tmp_path, "first.jsonl", b'{"meta": {}}\n')
    for fmt in ("csv", "html", "table", "jsonl"):
        result = run("predict", str(bad), "--model", str(tiny_model), "-f", fmt)
        assert result.exit_code == 1 and result.stdout == "", fmt


def test_a_sentence_longer_than_the_model_reads_comes_back_whole(
    tiny_model: Path, tmp_path: Path
) -> None:
    from ie.text import MODEL_MAX_CHARS

    clause = "全年地区生产总值增长5.5%，"
    text = clause * (3 * MODEL_MAX_CHARS // len(clause)) + "新增城镇就业3200人。"
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps({"text": text}, ensure_ascii=False) + "\n", encoding="utf-8")
    result = run("predict", str(path), "--model", str(tiny_model), "-f", "jsonl")
    [record] = [json.loads(line) for line in result.stdout.splitlines()]
    assert record["text"] == text and record["meta"] == {"source": "one.jsonl", "sentence": 0}
    spans = record["spans"]
    assert max(s["end"] for s in spans) > 2 * MODEL_MAX_CHARS  # the last pieces were read too
    assert {text[s["start"] : s["end"]] for s in spans if s["label"] == "PERCENT"} == {"5.5%"}
    for rel in record["relations"]:
        assert spans[rel["head"]]["label"] in ("INDICATOR", "PROJECT")


_PEAK_SCRIPT = """
import resource, sys, spacy
from spacy.language import Language
from ie.facts import write_csv
from ie.predict import predict_records, read_inputs
from ie.text import MODEL_MAX_CHARS

longest = [0]

@Language.component("longest_doc")
def longest_doc(doc):
    longest[0] = max(longest[0], len(doc))
    return doc

nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "char"}}})
nlp.add_pipe("longest_doc")
with open(sys.argv[2], "w", encoding="utf-8") as out:
    write_csv(predict_records(nlp, read_inputs([sys.argv[1]], None)), out)
assert longest[0] <= MODEL_MAX_CHARS, longest[0]
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


def test_a_million_characters_on_one_line_stay_in_bounded_memory(tmp_path: Path) -> None:
    """The model never sees more than MODEL_MAX_CHARS at once and the path from raw text to
    rows stays far below 1 GB (the pipeline here only records the longest Doc it is given)."""
    path = tmp_path / "line.txt"
    path.write_text("各位代表：\n" + "地区生产总值增长五个百分点" * 77_000 + "\n", encoding="utf-8")
    assert path.stat().st_size > 3_000_000
    proc = subprocess.run(
        [sys.executable, "-c", _PEAK_SCRIPT, str(path), str(tmp_path / "out.csv")],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout) < 1_000_000_000


def test_train_and_bench_outside_a_checkout_take_the_shipped_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ie import DEFAULT_MODEL
    from ie.cli import default_config

    monkeypatch.chdir(tmp_path)  # no configs/ and no corpus/ here
    assert default_config(None) == DEFAULT_MODEL / "config.cfg"
    assert default_config(None).is_file()
    assert default_config(tmp_path / "mine.cfg") == tmp_path / "mine.cfg"
    result = run("train")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: corpus: no corpus here (expected splits.json and the gold JSONL files)"
    )
    assert not list(tmp_path.iterdir())  # nothing written where the user stands
    monkeypatch.chdir(ROOT)
    assert default_config(None) == Path("configs") / "ie.cfg"


def test_worker_processes_give_the_same_records_in_order(tiny_model: Path) -> None:
    import spacy

    from ie.predict import WORKER_CHUNK, predict_records, read_inputs

    nlp = spacy.load(tiny_model)
    raw = [str(p) for p in sorted((ROOT / "corpus" / "raw").glob("*.txt"))]
    one = list(predict_records(nlp, read_inputs(raw, None)))
    two = list(predict_records(nlp, read_inputs(raw, None), n_process=2))
    assert len(one) > 2 * WORKER_CHUNK  # several chunks, more than two in flight per worker
    assert two == one

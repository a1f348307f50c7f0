"""The `ie` command line: train, predict, evaluate, validate, info, bench.

Argument checks and user-facing errors live here: every expected failure is one line on
stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from ie import DEFAULT_MODEL
from ie.text import InputError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Facts (indicator | value | change) from Chinese government work reports.",
)

# The workshop's paths are relative to where you run: a checkout's root has them all. Outside
# a checkout, `--corpus` names the corpus, and the config defaults to the shipped model's own.
CONFIG = Path("configs") / "ie.cfg"
CORPUS_DIR = Path("corpus")
CONFIG_HELP = "spaCy config [default: configs/ie.cfg here, else the shipped model's config]"


def default_config(config: Path | None) -> Path:
    """The config asked for, else the checkout's, else the one the shipped model was built
    from (package data, so `train` and `bench` work from any directory)."""
    if config is not None:
        return config
    return CONFIG if CONFIG.is_file() else DEFAULT_MODEL / "config.cfg"


def fail(message: str, code: int = 1) -> None:
    """Print one line to stderr and exit."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def load_model(path: Path | None):
    """Load a pipeline directory, with a one-line error when it is missing or broken."""
    import spacy

    from ie.ops import use_blas_ops

    path = path or DEFAULT_MODEL
    if not (path / "config.cfg").is_file():
        fail(f"no model at {path} (expected a spaCy pipeline directory with config.cfg)")
    use_blas_ops()  # numpy's BLAS on one thread for the matrix products (ie/ops.py)
    try:
        return spacy.load(path)
    except Exception as err:  # noqa: BLE001 - any load failure is the user's broken model
        fail(f"cannot load the model at {path}: {type(err).__name__}: {str(err).splitlines()[0]}")


# --- validate -----------------------------------------------------------------------------


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Scheme JSONL files to check.")],
) -> None:
    """Check gold or predicted JSONL against the annotation scheme.

    Example: python -m ie validate corpus/*.jsonl
    """
    from ie.corpus import validate_file

    problems = 0
    for path in files:
        if not path.is_file():
            fail(f"{path}: no such file")
        found = validate_file(path)
        for line in found:
            typer.echo(line)
        problems += len(found)
        if not found:
            typer.echo(f"{path}: ok")
    if problems:
        fail(f"{problems} problem(s)")


# --- train --------------------------------------------------------------------------------


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def train(
    ctx: typer.Context,
    config: Annotated[Path | None, typer.Option(help=CONFIG_HELP, show_default=False)] = None,
    output: Annotated[Path, typer.Option(help="Where runs are written.")] = Path("training/run"),
    corpus: Annotated[Path, typer.Option(help="The gold corpus directory.")] = CORPUS_DIR,
    seed: Annotated[int, typer.Option(help="Random seed; same seed, same model.")] = 0,
    cv: Annotated[
        Path | None,
        typer.Option(help="bench.json whose cross-validation of this config goes into meta."),
    ] = None,
    package: Annotated[
        bool, typer.Option("--package", help="Make the final pipeline the shipped model.")
    ] = False,
) -> None:
    """Train the pipeline on the split recorded in corpus/splits.json with spaCy's loop.

    The final checkpoint is the model (epochs are fixed in the config). Extra
    `--section.key value` options are passed to spaCy as config overrides.

    Example: python -m ie train --package --cv training/bench/bench.json
    """
    from spacy.cli._util import parse_config_overrides

    from ie.training import train_pipeline

    config = default_config(config)
    if not config.is_file():
        fail(f"{config}: no such config")
    if not (corpus / "splits.json").is_file():
        fail(f"{corpus}: no corpus here (expected splits.json and the gold JSONL files)")
    cv_summary = None
    if cv is not None:
        try:
            cv_summary = json.loads(cv.read_text(encoding="utf-8"))["cv"]["summary"]["model"]
        except (OSError, ValueError, KeyError, TypeError) as err:
            fail(f"{cv}: no cross-validation of the model in it ({type(err).__name__})")
    overrides = parse_config_overrides(ctx.args)
    try:
        scores = train_pipeline(
            config,
            output,
            seed=seed,
            overrides=overrides,
            package=package,
            corpus_dir=corpus,
            cv_summary=cv_summary,
        )
    except (ValueError, OSError) as err:
        fail(str(err).splitlines()[0])
    typer.echo(json.dumps(scores, ensure_ascii=False, indent=2))


# --- predict ------------------------------------------------------------------------------


# The format an output file's name asks for, when --format is not given.
_OUTPUT_SUFFIXES = {
    ".jsonl": "jsonl",
    ".csv": "csv",
    ".html": "html",
    ".htm": "html",
    ".parquet": "parquet",
}


def _expand_inputs(inputs: list[str]) -> list[str]:
    paths: list[str] = []
    for item in inputs:
        if item == "-":
            paths.append(item)
            continue
        path = Path(item)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix in (".txt", ".jsonl"))
            if not found:
                fail(f"{path}: no .txt or .jsonl files in this directory")
            paths.extend(str(p) for p in found)
        elif path.is_file():
            paths.append(item)
        else:
            fail(f"{path}: no such file or directory")
    return paths


@app.command()
def predict(
    inputs: Annotated[
        list[str], typer.Argument(help="Raw reports (.txt), directories, scheme JSONL, or -.")
    ],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Output file.")] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", help="jsonl | csv | table | html | parquet (default by input)."
        ),
    ] = None,
    model: Annotated[Path | None, typer.Option(help="Pipeline directory.")] = None,
    n_process: Annotated[
        int, typer.Option(help="Worker processes, each running the whole pipeline.")
    ] = 1,
    batch_size: Annotated[
        int | None, typer.Option(help="Sentences per batch (default: the model's nlp.batch_size).")
    ] = None,
) -> None:
    """Extract the facts of raw reports or of scheme JSONL sentences.

    Examples:
      python -m ie predict corpus/raw/000_3a740438e7f81a2c.txt --format table
      python -m ie predict corpus/000_3a740438e7f81a2c.jsonl -o predictions.jsonl
    """
    from ie.facts import FORMATS, WRITERS, atomic_output
    from ie.predict import predict_records, read_inputs

    paths = _expand_inputs(inputs)
    is_jsonl = all(p != "-" and p.endswith(".jsonl") for p in paths)
    if fmt is not None and fmt not in FORMATS:
        fail(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    by_name = _OUTPUT_SUFFIXES.get(output.suffix.lower()) if output is not None else None
    if fmt is not None and by_name is not None and fmt != by_name:
        fail(f"--format {fmt} does not match the output file {output.name}")
    fmt = fmt or by_name or ("jsonl" if is_jsonl else "csv")
    if fmt == "parquet" and output is None:
        fail("parquet needs an output file: -o facts.parquet")
    if n_process < 1 or (batch_size is not None and batch_size < 1):
        fail("--n-process and --batch-size must be at least 1")
    if output is not None and output.is_dir():
        fail(f"{output} is a directory; give a file name")
    nlp = load_model(model)
    _stop_cleanly_on_sigterm()
    # Inputs are streamed; a bad one met half-way still leaves no output file behind,
    # because the writer only renames its temporary file once everything succeeded.
    items = read_inputs(paths, stdin=sys.stdin.buffer)
    records = predict_records(nlp, items, n_process=n_process, batch_size=batch_size)
    try:
        # the first sentence is read before any output starts: a bad first input writes
        # nothing, not even a header, to a file or to standard output
        first = next(records, None)
        records = itertools.chain([first] if first is not None else [], records)
        with atomic_output(output, binary=fmt == "parquet") as out:
            n = WRITERS[fmt](_progress(records, output is not None), out)
    except InputError as err:
        fail(str(err))
    if output is not None:
        typer.echo(
            f"wrote {n} {'rows' if fmt in ('csv', 'parquet') else 'items'} to {output}", err=True
        )


def _stop_cleanly_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C, so the writer removes its temporary file on the way out."""

    def stop(signum: int, frame: object) -> None:
        typer.echo("error: stopped by SIGTERM; nothing was written", err=True)
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def _progress(records: Iterator[dict], show: bool) -> Iterator[dict]:
    """Sentences done and their rate on stderr, when the output goes to a file."""
    if not show:
        yield from records
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.completed} sentences"), TimeElapsedColumn())
    with Progress(*columns, console=_stderr(), transient=True) as progress:
        task = progress.add_task("predict", total=None)
        for record in records:
            progress.advance(task)
            yield record


def _stderr():
    from rich.console import Console

    return Console(stderr=True)


# --- evaluate -----------------------------------------------------------------------------


@app.command()
def evaluate(
    gold: Annotated[list[Path], typer.Argument(help="Gold JSONL files in the scheme layout.")],
    model: Annotated[Path | None, typer.Option(help="Pipeline directory.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
    errors: Annotated[
        Path | None, typer.Option(help="Write every false positive and negative here.")
    ] = None,
) -> None:
    """Score a model against gold: entities, tolerant spans, relations end to end and on gold
    entities.

    Example: python -m ie evaluate corpus/000_3a740438e7f81a2c.jsonl --errors errors.jsonl
    """
    from ie.corpus import validate_record
    from ie.evaluate import error_records, evaluate_model, format_scores
    from ie.facts import atomic_output, write_jsonl
    from ie.predict import read_inputs

    for path in gold:
        if not path.is_file():
            fail(f"{path}: no such file")
        if path.suffix != ".jsonl":
            fail(f"{path}: gold must be a .jsonl file in the scheme layout")
    if errors is not None and (errors.is_dir() or not os.access(_existing(errors), os.W_OK)):
        fail(f"{errors}: cannot write the errors file there")
    try:
        items = list(read_inputs([str(p) for p in gold], stdin=None))
    except InputError as err:
        fail(str(err))
    records = [item.record for item in items]
    for item in items:
        if problems := validate_record(item.record):
            fail(f"{item.where}: {problems[0]}")
    nlp = load_model(model)
    scores, predicted = evaluate_model(nlp, records)
    if errors is not None:
        with atomic_output(errors) as out:
            write_jsonl(error_records(records, predicted), out)
    typer.echo(json.dumps(scores, indent=2) if as_json else format_scores(scores))


def _existing(path: Path) -> Path:
    """The nearest folder of `path` that exists (where a new file would be created)."""
    path = path.resolve().parent
    while not path.exists():
        path = path.parent
    return path


# --- info ---------------------------------------------------------------------------------


@app.command()
def info(
    model: Annotated[Path | None, typer.Option(help="Pipeline directory.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Show the model's path, pipeline, labels, what it was trained on and its cross-report
    figures (leave-one-report-out means of the same config), like `spacy info`.

    Example: python -m ie info --json
    """
    path = model or DEFAULT_MODEL
    nlp = load_model(path)
    labels = {name: list(getattr(pipe, "labels", ())) for name, pipe in nlp.pipeline}
    data = {
        "model_path": str(path.resolve()),
        "pipeline": list(nlp.pipe_names),
        "labels": {k: v for k, v in labels.items() if v},
        "trained_on": nlp.meta.get("ie", {}).get("train", []),
        "cross_validation": {
            metric: round(s["mean"], 4)
            for metric, s in nlp.meta.get("ie", {}).get("cross_validation", {}).items()
            if s.get("mean") is not None
        },
        "spacy_version": nlp.meta.get("spacy_version", ""),
        "version": nlp.meta.get("version", ""),
    }
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for key, value in data.items():
        if isinstance(value, dict):
            typer.echo(f"{key}:")
            for k, v in value.items():
                typer.echo(f"  {k}: {v if not isinstance(v, float) else round(v, 4)}")
        else:
            typer.echo(f"{key}: {value}")


# --- bench --------------------------------------------------------------------------------


@app.command()
def bench(
    output: Annotated[Path, typer.Option(help="Where bench.md and bench.json go.")] = Path(
        "training/bench"
    ),
    model: Annotated[Path | None, typer.Option(help="Pipeline for the speed runs.")] = None,
    config: Annotated[Path | None, typer.Option(help=CONFIG_HELP, show_default=False)] = None,
    corpus: Annotated[Path, typer.Option(help="The gold corpus directory.")] = CORPUS_DIR,
    cv: Annotated[bool, typer.Option(help="Leave-one-report-out cross-validation.")] = True,
    speed: Annotated[bool, typer.Option(help="Measure speed and memory of --model.")] = True,
    ablations: Annotated[bool, typer.Option(help="Also cross-validate every ablation.")] = False,
    ablation: Annotated[
        list[str] | None,
        typer.Option(help="Also cross-validate this ablation (repeatable); see ABLATIONS."),
    ] = None,
    seeds: Annotated[str, typer.Option(help="Comma-separated seeds of the model.")] = "0,1,2",
    jobs: Annotated[int, typer.Option(help="Trainings run at once.")] = 2,
    sentences: Annotated[int, typer.Option(help="Sentences per speed run.")] = 10_000,
    repeats: Annotated[int, typer.Option(help="Timed repetitions (median reported).")] = 3,
) -> None:
    """Cross-report accuracy against the rules and a CRF, speed and memory.

    Trainings are kept under OUTPUT/runs and reused when nothing they depend on changed.

    Example: python -m ie bench                       (9 + 3 trainings, 2 at a time)
             python -m ie bench --no-cv --sentences 2000
             python -m ie bench --no-speed --ablation "without the domain lexicon"
    """
    from ie.bench import ABLATIONS, run

    path = model or DEFAULT_MODEL
    if speed:
        load_model(path)  # a clear error before any long work
    unknown = sorted(set(ablation or ()) - set(ABLATIONS))
    if unknown:
        fail(f"--ablation {unknown[0]!r}: not one of {', '.join(map(repr, ABLATIONS))}")
    chosen = list(ABLATIONS) if ablations else list(dict.fromkeys(ablation or ()))
    config = default_config(config)
    if cv and not config.is_file():
        fail(f"{config}: no such config")
    if cv and not (corpus / "splits.json").is_file():
        fail(f"{corpus}: no corpus here (expected splits.json and the gold JSONL files)")
    try:
        seed_list = tuple(int(s) for s in seeds.split(","))
    except ValueError:
        fail(f"--seeds {seeds!r}: give whole numbers separated by commas")
    if sentences < 1 or repeats < 1 or jobs < 1:
        fail("--sentences, --repeats and --jobs must be at least 1")
    run(
        output,
        path,
        config=config,
        corpus_dir=corpus,
        cv=cv,
        speed=speed,
        ablations=chosen,
        seeds=seed_list,
        jobs=jobs,
        speed_sentences=sentences,
        repeats=repeats,
    )
    typer.echo(f"wrote {output / 'bench.md'} and {output / 'bench.json'}", err=True)


def main() -> None:
    app(prog_name="python -m ie")

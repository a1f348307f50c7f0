"""What the bench's jobs share: progress lines and the metrics they report."""

from __future__ import annotations

import sys
import time

from ie.schema import ENTITY_LABELS

COMMAND = "python -m ie bench"

# Flat metric keys (as `ie.training.flat_scores` writes them) with their names in bench.md.
METRICS = {
    "ents_micro_f": "entities F",
    **{f"ents_{label}_f": f"{label} F" for label in ENTITY_LABELS},
    "rels_micro_f": "relations F",
    "rels_on_gold_ents_micro_f": "relations on gold entities F",
    "status_on_gold_rels_status": "status acc. (gold relations)",
    "status_on_gold_rels_period": "period acc. (gold relations)",
}


def say(message: str) -> None:
    """Progress of the long steps on stderr, so stdout stays free for spaCy's training log."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

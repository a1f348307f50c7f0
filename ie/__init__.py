"""`ie`: facts (indicator | value | change) from Chinese government work reports.

The spaCy components `ie_relations` and `ie_numbers` and the architecture
`ie.RelationModel.v1` are registered through entry points, so an installed `ie` needs no
import for `spacy.load` or `nlp.add_pipe`.
"""

from pathlib import Path

__version__ = "0.1.0"

# The shipped pipeline, package data: where `predict`, `info` and `train --package` look.
DEFAULT_MODEL = Path(__file__).resolve().parent / "model"

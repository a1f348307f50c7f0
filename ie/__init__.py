"""`ie`: facts (indicator | value | change) from Chinese government work reports.

The spaCy components `ie_relations` and `ie_numbers` and the architecture
`ie.RelationModel.v1` are registered through entry points, so an installed `ie` needs no
import for `spacy.load` or `nlp.add_pipe`.
"""

__version__ = "0.1.0"

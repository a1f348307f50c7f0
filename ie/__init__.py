"""`ie`: facts (indicator | value | change) from Chinese government work reports.

Importing the package registers the spaCy components `ie_relations` and `ie_numbers` and the
architecture `ie.RelationModel.v1`; installed, the entry points do the same without the import.
"""

__version__ = "0.1.0"

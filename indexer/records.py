"""The paragraph record: one paragraph as a reader sees it in one version (defined with the index format, in
search/records.py, because search reads what the indexer writes)."""
from jiaokan.search.records import Paragraph

__all__ = ["Paragraph"]

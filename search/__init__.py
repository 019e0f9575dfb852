"""Schema and analysis of the index, query parsing, searching, ranking and highlighting."""

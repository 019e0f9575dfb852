"""Turns the corpus into paragraph records and writes them into the index (schema and analysis live in search/)."""

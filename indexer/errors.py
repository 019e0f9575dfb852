class CorpusError(Exception):
    """A problem with the corpus a user can fix: the message names the file and what is wrong, on one line."""

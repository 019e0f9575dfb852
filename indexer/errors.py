class CorpusError(Exception):
    """A problem with the corpus a user can fix: the message names the file and what is wrong, on one line."""


class IndexWriteError(CorpusError):
    """The file system refused to take a new build (no space, read-only, permission denied); nothing was swapped."""

    @classmethod
    def of(cls, e: OSError, index_path) -> "IndexWriteError":
        """One line naming the path the file system refused, and why."""
        where = e.filename or index_path.parent
        return cls(f"cannot write the index at {index_path}: {where}: {e.strerror or e}; the previous index is unchanged")

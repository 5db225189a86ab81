"""Errors that reach a person: each carries one line saying what is wrong and what to do."""


class PaperLsError(Exception):
    """An error the command line prints as one line, with no traceback, and exits non-zero."""


class IndexStoreError(PaperLsError):
    """The index file cannot be opened, read or written."""


class SourceError(PaperLsError):
    """A source file is missing, unreadable or not in a format we read."""


class IndexCorruptError(IndexStoreError):
    """The index file is damaged: SQLite cannot read it, or its own check finds faults.

    Never served as it is: the command line and the server move it aside and rebuild it from
    its sources (`paper_ls.index.recovery`).
    """

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(f"the index {path} is damaged ({reason})")
        self.path = path
        self.reason = reason

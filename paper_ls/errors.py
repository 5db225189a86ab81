"""Errors that reach a person: each carries one line saying what is wrong and what to do."""


class PaperLsError(Exception):
    """An error the command line prints as one line, with no traceback, and exits non-zero."""


class IndexStoreError(PaperLsError):
    """The index file cannot be opened, read or written."""


class SourceError(PaperLsError):
    """A source file is missing, unreadable or not in a format we read."""

"""Where the citations are in a document: pure functions over LaTeX and Markdown text.

`latex` and `markdown` read the two languages; `model` holds the positions and records they
share (LSP-style, UTF-16 columns, but no lsprotocol types so nothing here needs a server).
"""

from paper_ls.documents.model import Citation, CiteContext, Position, Range

__all__ = ["Citation", "CiteContext", "Position", "Range"]

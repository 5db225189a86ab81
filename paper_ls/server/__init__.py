"""The language server: citation completion, hover and BibTeX insertion over LSP."""

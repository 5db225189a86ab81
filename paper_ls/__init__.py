"""paper-ls: a local index of papers served to editors through a language server."""

__version__ = "0.1.0"

"""A faster cold start: reuse attrs' generated method code between server starts.

`lsprotocol.types` defines about 570 attrs classes, and attrs writes and compiles the source
of each class's `__init__`, `__eq__` and `__repr__` at import time: a third of a second of a
language server's start (lsprotocol issue 441) spent producing the same bytecode every time.
Importing the protocol through `import_protocol_types` compiles that code once, keeps it in
the user cache directory (marshal, keyed by the Python, attrs and lsprotocol versions) and
reuses it on later starts. Anything unexpected (another attrs layout, an unreadable cache)
falls back to a plain import: the cache may make a start faster, never break one.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from types import CodeType
from typing import Any

log = logging.getLogger(__name__)

_PATCHED_FUNCTION = "_compile_and_eval"


def import_protocol_types(cache_dir: Path | None = None) -> None:
    """Import `lsprotocol.types`, compiling attrs' generated code from a persistent cache."""
    if "lsprotocol.types" in sys.modules:
        return
    try:
        import attr._make as attrs_make
    except ImportError:  # pragma: no cover - attrs is a dependency of lsprotocol
        return
    original = getattr(attrs_make, _PATCHED_FUNCTION, None)
    if original is None:
        import lsprotocol.types  # attrs changed its internals: a plain import

        return
    path = cache_file(cache_dir)
    cached = load_cache(path)
    fresh: dict[bytes, CodeType] = {}

    def compile_and_eval(
        script: str,
        globs: dict[str, Any] | None,
        locs: Mapping[str, object] | None = None,
        filename: str = "",
    ) -> None:
        key = hashlib.blake2b(f"{filename}\0{script}".encode(), digest_size=16).digest()
        code = cached.get(key)
        if code is None:
            code = compile(script, filename, "exec")
        fresh[key] = code
        eval(code, globs, locs)  # attrs' own generated code, run as attrs runs it

    setattr(attrs_make, _PATCHED_FUNCTION, compile_and_eval)
    try:
        import lsprotocol.types  # noqa: F401
    finally:
        setattr(attrs_make, _PATCHED_FUNCTION, original)
    if fresh.keys() != cached.keys():
        save_cache(path, fresh)


def cache_file(cache_dir: Path | None = None) -> Path:
    """One file per (Python, attrs, lsprotocol): bytecode is only valid for its own versions.

    The libraries are identified by the size and mtime of the modules that matter rather
    than by their versions, which would cost `importlib.metadata` (50 ms) on every start.
    """
    import attr._make
    import lsprotocol

    if cache_dir is None:
        from platformdirs import user_cache_dir

        cache_dir = Path(user_cache_dir("paper-ls"))
    stamps = [
        sys.implementation.cache_tag or "python",
        _stamp(Path(attr._make.__file__)),
        _stamp(Path(lsprotocol.__file__ or "").with_name("types.py")),
    ]
    return cache_dir / f"protocol-types-{'-'.join(stamps)}.marshal"


def _stamp(path: Path) -> str:
    try:
        st = path.stat()
    except OSError:
        return "unknown"
    return f"{st.st_size}.{st.st_mtime_ns}"


def load_cache(path: Path) -> dict[bytes, CodeType]:
    try:
        data = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, bytes) and isinstance(v, CodeType)}


def save_cache(path: Path, codes: dict[bytes, CodeType]) -> None:
    """Write atomically, so that two servers starting at once never read half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(marshal.dumps(codes))
        os.replace(temporary, path)
        _prune(path, keep=3)
    except OSError as exc:
        log.debug("protocol type cache not written: %s", exc)


def _prune(current: Path, keep: int) -> None:
    """Each Python environment has its own cache file; keep the few used last, not all."""
    others = sorted(
        (p for p in current.parent.glob("protocol-types-*.marshal") if p != current),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for stale in others[keep - 1 :]:
        stale.unlink(missing_ok=True)

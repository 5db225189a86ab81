"""Reading the client's messages from stdin on the event loop itself.

pygls reads stdin through a thread pool: each header line and each body is one trip to a
worker thread and back (three per message, two messages per keystroke), and each trip waits
for the GIL behind whatever else runs. On POSIX a pipe can be read by the event loop
directly, with no thread at all; anything else (a file, Windows) keeps pygls' reader.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
from typing import Any, BinaryIO

from pygls.io_ import StdinAsyncReader, StdoutWriter, run_async

log = logging.getLogger(__name__)
#: A header line longer than this is not LSP; the limit only bounds `readline`.
_LINE_LIMIT = 1 << 20


class PipeReader:
    """The two reads pygls' message loop makes, on an `asyncio.StreamReader`; at the end of
    the stream both return what is left (nothing), which ends the loop."""

    def __init__(self, reader: asyncio.StreamReader) -> None:
        self._reader = reader

    async def readline(self) -> bytes:
        return await self._reader.readline()

    async def readexactly(self, n: int) -> bytes:
        try:
            return await self._reader.readexactly(n)
        except asyncio.IncompleteReadError as exc:
            return exc.partial


async def _reader_for(stdin: BinaryIO, server: Any) -> PipeReader | StdinAsyncReader:
    if os.name == "posix":
        loop = asyncio.get_running_loop()
        stream = asyncio.StreamReader(limit=_LINE_LIMIT)
        try:
            await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stream), stdin)
            return PipeReader(stream)
        except (OSError, ValueError) as exc:  # not a pipe, a socket or a terminal
            log.debug("reading stdin through a thread: %s", exc)
    return StdinAsyncReader(stdin, server.thread_pool)


def serve_stdio(server: Any) -> None:
    """What pygls' `JsonRPCServer.start_io` does, with `PipeReader` where it can."""
    server._stop_event = threading.Event()
    server.protocol.set_writer(StdoutWriter(sys.stdout.buffer))

    async def loop() -> None:
        reader = await _reader_for(sys.stdin.buffer, server)
        await run_async(
            stop_event=server._stop_event,
            reader=reader,
            protocol=server.protocol,
            logger=log,
            error_handler=server.report_server_error,
        )

    try:
        asyncio.run(loop())
    except BrokenPipeError:
        log.error("the connection to the client is lost; shutting down")
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.shutdown()

"""pygls' message handling without its per-notification leak, and a clean shutdown."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Generator
from typing import Any

from pygls.lsp.server import LanguageServer

from paper_ls.server.protocol import PaperProtocol

Step = tuple[Callable[..., Any], tuple[Any, ...], None]


def as_pygls_runs_notifications(user_handler: Callable[..., Any]) -> Any:
    """How pygls runs `didChange` and its kin: a built-in generator that hands over to the
    server's own handler."""

    def builtin(params: object) -> Generator[Step, Any, None]:
        yield user_handler, (params,), None

    return builtin


async def test_finished_notifications_leave_no_future_behind() -> None:
    protocol = LanguageServer("test", "0", protocol_cls=PaperProtocol).protocol
    assert isinstance(protocol, PaperProtocol)
    changed: list[int] = []
    handler = as_pygls_runs_notifications(changed.append)
    for keystroke in range(1000):
        protocol._execute_handler(
            f"change-{keystroke}", handler, protocol._check_handler_result, args=(keystroke,)
        )
    assert changed == list(range(1000))
    assert len(protocol._request_futures) <= 1  # the last one, dropped with the next message


async def test_shutdown_cancels_a_pending_handler_without_an_error() -> None:
    """pygls cancels pending handlers while iterating over them; a cancelled future calls
    back at once, and must not change that table then."""
    protocol = LanguageServer("test", "0", protocol_cls=PaperProtocol).protocol
    gate = asyncio.Event()

    async def waiting(params: object) -> None:
        await gate.wait()

    handler = as_pygls_runs_notifications(waiting)
    protocol._execute_handler("initialized", handler, protocol._check_handler_result, args=(1,))
    await asyncio.sleep(0)
    assert protocol._request_futures, "the handler is still running"

    steps = list(protocol.lsp_shutdown())  # no RuntimeError: dictionary changed size
    assert steps == []
    await asyncio.sleep(0)
    protocol._forget_finished()
    assert all(f.done() for f in protocol._request_futures.values())

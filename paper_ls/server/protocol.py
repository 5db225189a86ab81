"""pygls' protocol, without the future it keeps for every notification, and with every
message announced to the server's `RequestGate` (background parses step aside for it).

pygls 2.1 runs each `didOpen`/`didChange`/`didSave`/`didClose` through a built-in generator
handler, and each async notification handler as a task; both store the handler's future in
`_request_futures` under a fresh id that only a *request's* answer ever removes. One future
(about 2.7 KB with its condition and callbacks) stays behind per keystroke: 30 MB over an
hour of typing, found by `tests/server/test_soak.py`. Here every future leaves that table
once it is done (at the next message), which is all a request's answer or cancellation
needs of it too.
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from pygls.protocol import LanguageServerProtocol
from pygls.protocol.json_rpc import MsgId

if TYPE_CHECKING:  # pygls defines these for type checkers only
    from pygls.protocol.json_rpc import MessageCallback, MessageHandler


class PaperProtocol(LanguageServerProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Handlers' futures that finished since the last message, to drop from the table.
        #: Not dropped from inside their callbacks: pygls cancels the pending ones at
        #: shutdown while iterating over the table, and a cancelled future calls back at once.
        self._finished: list[tuple[MsgId, Future[Any]]] = []

    def handle_message(self, message: Any) -> None:
        """Every message from the client first tells background work to step aside."""
        gate = getattr(self._server, "gate", None)
        if gate is not None:
            gate.touch()
        super().handle_message(message)

    def _execute_handler(
        self,
        msg_id: MsgId,
        handler: MessageHandler,
        callback: MessageCallback,
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
    ) -> None:
        self._forget_finished()
        super()._execute_handler(msg_id, handler, callback, args, kwargs)
        future = self._request_futures.get(msg_id)
        if future is not None:
            future.add_done_callback(lambda done: self._finished.append((msg_id, done)))

    def _forget_finished(self) -> None:
        """Drop finished handlers' futures (unless their id has been reused meanwhile)."""
        while self._finished:
            msg_id, future = self._finished.pop()
            if self._request_futures.get(msg_id) is future:
                del self._request_futures[msg_id]

"""A real SMTP server on 127.0.0.1 for the tests (aiosmtpd), and the messages it received."""

from __future__ import annotations

import re
import socket
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LocalMailbox:
    """Receives mail over SMTP. Set `refuse = True` to answer every message with a 451."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.refuse = False
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, _server, _session, envelope):  # noqa: N802  (aiosmtpd's name)
        if self.refuse:
            return "451 Please try again later"
        message = message_from_bytes(envelope.content, policy=default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted"

    def start(self) -> LocalMailbox:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in m["X-Envelope-To"]]

    @staticmethod
    def body(message: EmailMessage) -> str:
        return message.get_body(("plain",)).get_content()

    def link_in(self, message: EmailMessage, path: str) -> str:
        """The first link in `message` whose path starts with `path`."""
        match = re.search(r"https?://\S+?(" + re.escape(path) + r"\S*)", self.body(message))
        assert match, f"no {path} link in:\n{self.body(message)}"
        return match.group(1)

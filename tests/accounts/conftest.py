"""A real SMTP server (aiosmtpd) on a free local port for the accounts tests."""

from __future__ import annotations

import email
import os
import re
import socket
from email.message import EmailMessage
from email.policy import default

import pytest
from aiosmtpd.controller import Controller

from server.settings import get_settings


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=default)
        self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    @staticmethod
    def text(message: EmailMessage) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()

    @staticmethod
    def html(message: EmailMessage) -> str:
        return message.get_body(preferencelist=("html",)).get_content()

    def link(self, message: EmailMessage, path: str) -> str:
        found = re.search(rf"https?://[^\s/]+({re.escape(path)}[A-Za-z0-9_\-]+)", self.text(message))
        assert found, self.text(message)
        return found.group(1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox():
    """Mail goes by SMTP to this inbox for the length of one test."""
    handler = Inbox()
    port = _free_port()
    handler.port = port
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    os.environ["ASPIRE_SMTP_URL"] = f"smtp://127.0.0.1:{port}"
    get_settings.cache_clear()
    try:
        yield handler
    finally:
        os.environ.pop("ASPIRE_SMTP_URL", None)
        get_settings.cache_clear()
        controller.stop()

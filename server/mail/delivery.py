"""Sending a message: by SMTP when ASPIRE_SMTP_URL is set, else one .eml file in the outbox."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from ipaddress import ip_address
from urllib.parse import unquote, urlparse

import aiosmtplib
import anyio

from server.settings import get_settings

logger = logging.getLogger("aspire.mail")

SMTP_TIMEOUT_SECONDS = 20


class DeliveryFailed(Exception):
    """The message could not be handed over; the reason is safe to show an administrator."""


def sender_address() -> str:
    host = urlparse(get_settings().base_url).hostname or "localhost"
    try:
        ip_address(host)
        host = "localhost"
    except ValueError:
        pass
    if "." not in host:
        host = "aspire.localhost"
    return f"Aspire Open <no-reply@{host}>"


async def deliver(message: EmailMessage) -> None:
    """Hands the message over, or raises DeliveryFailed."""
    settings = get_settings()
    if "From" not in message:
        message["From"] = sender_address()
    if settings.smtp_url:
        await _send_smtp(message, settings.smtp_url)
        logger.info("email sent by SMTP: %s", message["Subject"])
    else:
        path = await _write_outbox(message, settings.outbox_dir)
        logger.info("email written to the outbox: %s (%s)", path, message["Subject"])


async def _send_smtp(message: EmailMessage, url: str) -> None:
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    if scheme not in ("smtp", "smtps", "smtp+starttls") or not parsed.hostname:
        raise DeliveryFailed("The email server address (ASPIRE_SMTP_URL) is not valid.")
    try:
        await aiosmtplib.send(
            message,
            hostname=parsed.hostname,
            port=parsed.port or (465 if scheme == "smtps" else 25),
            username=unquote(parsed.username) if parsed.username else None,
            password=unquote(parsed.password) if parsed.password else None,
            use_tls=scheme == "smtps",
            # smtp:// upgrades with STARTTLS when the server offers it; smtp+starttls:// insists.
            start_tls=True if scheme == "smtp+starttls" else (False if scheme == "smtps" else None),
            timeout=SMTP_TIMEOUT_SECONDS,
        )
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
        logger.warning("email not sent: %s", error)
        raise DeliveryFailed(
            f"The email server did not accept the message ({type(error).__name__})."
        ) from error


async def _write_outbox(message: EmailMessage, folder) -> str:
    # Microseconds: the outbox's names sort in sending order, also within one second.
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    path = anyio.Path(folder) / f"{stamp}-{uuid.uuid4().hex[:12]}.eml"
    try:
        await anyio.Path(folder).mkdir(parents=True, exist_ok=True)
        await path.write_bytes(message.as_bytes())
    except OSError as error:
        raise DeliveryFailed("The message could not be written to the outbox folder.") from error
    return str(path)

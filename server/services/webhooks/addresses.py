"""Which addresses a webhook may have: HTTPS, or plain HTTP to this machine in development.

A webhook makes the server send requests, so an address must not reach into the server's
own network: outside development, loopback, private, link-local and reserved addresses are
refused, both as written and (at send time) as the host name resolves.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from server.services.errors import UserInputError
from server.services.webhooks.errors import WebhookErrorCode

MAX_LENGTH = 500
LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def is_loopback(host: str) -> bool:
    address = _address(host)
    return host.lower() in LOOPBACK_NAMES if address is None else address.is_loopback


def is_internal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return bool(address.is_loopback or address.is_private or address.is_link_local
                or address.is_reserved or address.is_multicast or address.is_unspecified)


def check_url(url: str, development: bool) -> str:
    """The address, tidied, or a UserInputError saying what is wrong with it."""
    url = (url or "").strip()
    if not url:
        raise UserInputError("Enter the address to send notifications to", field="url", code=WebhookErrorCode.REQUIRED)
    if len(url) > MAX_LENGTH:
        raise UserInputError(f"The address must be {MAX_LENGTH} characters or fewer",
                             field="url", code=WebhookErrorCode.TOO_LONG)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        parts, port = None, None
    if parts is None or parts.scheme.lower() not in {"https", "http"} or not parts.hostname:
        raise UserInputError("Enter a full web address that starts with https://, like "
                             "https://dashboard.example.org/aspire", field="url", code=WebhookErrorCode.INVALID_URL)
    if parts.username or parts.password:
        raise UserInputError("Leave the user name and password out of the address: deliveries "
                             "are signed instead", field="url", code=WebhookErrorCode.INVALID_URL)
    if parts.fragment:
        raise UserInputError("Leave the # part out of the address", field="url", code=WebhookErrorCode.INVALID_URL)
    host = parts.hostname
    if parts.scheme.lower() == "http":
        if not (development and is_loopback(host)):
            raise UserInputError("The address must start with https:// (plain http is only for "
                                 "this computer while developing)", field="url", code=WebhookErrorCode.NOT_HTTPS)
    elif not development:
        address = _address(host)
        if (address is not None and is_internal(address)) or host.lower() in LOOPBACK_NAMES:
            raise UserInputError("The address must be on the internet, not a private or local "
                                 "network", field="url", code=WebhookErrorCode.PRIVATE_ADDRESS)
    if port == 0:
        raise UserInputError("The address has no valid port", field="url", code=WebhookErrorCode.INVALID_URL)
    return url


async def resolves_outside(url: str, development: bool) -> str | None:
    """At send time: None when the host may be reached, else why not (a name that resolves
    to a private address is refused outside development)."""
    host = urlsplit(url).hostname or ""
    if development:
        return None
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError as error:
        return f"the host name did not resolve ({error.strerror or error})"
    for _family, _type, _proto, _name, sockaddr in found:
        address = _address(str(sockaddr[0]))
        if address is not None and is_internal(address):
            return "the host name resolves to a private or local network address"
    return None

"""Shared steps of the accounts page tests."""

from __future__ import annotations

import re
from html import unescape

import httpx


async def csrf(client: httpx.AsyncClient, path: str = "/sign-up") -> str:
    if not client.cookies.get("csrftoken"):
        await client.get(path)
    return client.cookies.get("csrftoken", "")


async def post(client: httpx.AsyncClient, path: str, data: dict, **kwargs) -> httpx.Response:
    token = await csrf(client)
    return await client.post(path, data={"csrftoken": token, **data}, **kwargs)


def code_on(html: str) -> str:
    found = re.search(r'app-letter__code">([A-Z0-9]{8})<', html)
    assert found, html
    return found.group(1)


def positions_on(html: str) -> list[tuple[int, str]]:
    found = re.findall(r"The (\d+)\w\w character of your answer to: ([^<]+)</label>", html)
    return [(int(n), unescape(q).strip()) for n, q in found]


def error_messages(html: str) -> list[str]:
    summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', html, re.S)
    if not summary:
        return []
    return [unescape(m).strip() for m in re.findall(r'<a href="#[^"]*">(.*?)</a>', summary.group(1), re.S)]

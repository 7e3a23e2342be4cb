"""Relay-style connections with opaque offset cursors and capped page sizes."""

from __future__ import annotations

import base64
from typing import Generic, TypeVar

import strawberry

from server.schema.errors import BadUserInput

NodeType = TypeVar("NodeType")

MAX_PAGE = 100
MAX_AGGREGATE_PAGE = 500
# targetAggregates is one list (no pages): a whole large LA (about 100 schools x 12 subjects)
# must fit, and the cap still bounds one request's work.
MAX_AGGREGATE_ROWS = 5000


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeType]):
    cursor: str
    node: NodeType


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        kind, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        offset = int(value)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadUserInput("The 'after' cursor is not one this API gave out.") from error
    if kind != "offset" or offset < 0:
        raise BadUserInput("The 'after' cursor is not one this API gave out.")
    return offset + 1


def page_window(first: int, after: str | None, cap: int = MAX_PAGE) -> tuple[int, int]:
    if first < 0:
        raise BadUserInput("'first' must be zero or more.")
    if first > cap:
        raise BadUserInput(f"'first' can be at most {cap}.")
    return decode_cursor(after), first


def edges_for(nodes: list, start: int) -> list[Edge]:
    return [Edge(cursor=encode_cursor(start + i), node=node) for i, node in enumerate(nodes)]

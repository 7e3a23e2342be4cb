"""The menus of both sites; each area's page module registers what it provides."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass
class MenuItem:
    label: str
    href: str
    # Display only (the schema still checks): which viewers the item is shown to.
    shown_to: Callable[[Any], bool] | None = None
    # Shown only when this flag is set for the request (see add_menu_flag).
    requires: str | None = None
    # In the top menu: this group holds the page being shown (one item at most).
    active: bool = False

    def visible(self, viewer: Any) -> bool:
        if self.requires is not None and self.requires not in _flags.get():
            return False
        return self.shown_to is None or bool(self.shown_to(viewer))


@dataclass
class MenuGroup:
    title: str  # as in the guide: "Add users", "Manage users", "Target Setting"
    items: list[MenuItem] = field(default_factory=list)


ADMIN_GROUPS: dict[str, MenuGroup] = {
    title: MenuGroup(title)
    for title in ("Add users", "Manage users", "Target Setting", "Pupils")
}
MAIN_MENU: list[MenuItem] = []


# Flags that depend on data (e.g. "the school has targets") or on what the schema says the
# viewer may do (viewer { may… }), worked out once per signed-in request of their area.
_FLAG_PROVIDERS: dict[str, dict[str, Callable[[Any], Awaitable[bool]]]] = {"admin": {}, "main": {}}
_flags: ContextVar[frozenset[str]] = ContextVar("menu_flags", default=frozenset())


def add_menu_flag(name: str, provider: Callable[[Any], Awaitable[bool]], area: str = "admin") -> None:
    _FLAG_PROVIDERS[area][name] = provider


async def set_menu_flags(request: Any, area: str = "admin") -> None:
    """Called for every signed-in request of the area before its page renders."""
    providers = _FLAG_PROVIDERS[area].items()
    _flags.set(frozenset([name for name, p in providers if await p(request)]))


def add_admin_item(group: str, label: str, href: str, requires: str | None = None) -> None:
    items = ADMIN_GROUPS[group].items
    if all(item.href != href for item in items):
        items.append(MenuItem(label, href, requires=requires))


def add_main_item(label: str, href: str, shown_to: Callable[[Any], bool] | None = None,
                  requires: str | None = None) -> None:
    if all(item.href != href for item in MAIN_MENU):
        MAIN_MENU.append(MenuItem(label, href, shown_to, requires=requires))


def admin_groups() -> list[MenuGroup]:
    flags = _flags.get()
    groups = (
        MenuGroup(g.title, [i for i in g.items if i.requires is None or i.requires in flags])
        for g in ADMIN_GROUPS.values()
    )
    return [group for group in groups if group.items]


def _covers(href: str, path: str) -> bool:
    return path == href or path.startswith(href.rstrip("/") + "/")


def active_group(path: str, groups: list[MenuGroup] | None = None) -> str | None:
    """The group of the page at `path`: the one whose item is the longest match of the path.

    /admin/users/add is "Add users" although /admin/users ("Manage users") also starts it.
    """
    best: tuple[int, str] | None = None
    for group in groups if groups is not None else admin_groups():
        for item in group.items:
            if _covers(item.href, path) and (best is None or len(item.href) > best[0]):
                best = (len(item.href), group.title)
    return best[1] if best else None


def admin_menu(path: str | None = None) -> list[MenuItem]:
    """The top menu: the first page of each group, named after the group; `active` marks the
    group of the page at `path`."""
    groups = admin_groups()
    current = active_group(path, groups) if path else None
    return [
        MenuItem(group.title, group.items[0].href, active=group.title == current) for group in groups
    ]

"""The menus of both sites; each area's page module registers what it provides."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class MenuItem:
    label: str
    href: str
    # Display only (the schema still checks): which viewers the item is shown to.
    shown_to: Callable[[Any], bool] | None = None

    def visible(self, viewer: Any) -> bool:
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


def add_admin_item(group: str, label: str, href: str) -> None:
    items = ADMIN_GROUPS[group].items
    if all(item.href != href for item in items):
        items.append(MenuItem(label, href))


def add_main_item(label: str, href: str, shown_to: Callable[[Any], bool] | None = None) -> None:
    if all(item.href != href for item in MAIN_MENU):
        MAIN_MENU.append(MenuItem(label, href, shown_to))


def admin_groups() -> list[MenuGroup]:
    return [group for group in ADMIN_GROUPS.values() if group.items]


def admin_menu() -> list[MenuItem]:
    """The top menu: the first page of each group, named after the group."""
    return [MenuItem(group.title, group.items[0].href) for group in admin_groups()]

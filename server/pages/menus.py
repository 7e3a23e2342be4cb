"""The menus of both sites; each area's page module registers what it provides."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class MenuItem:
    label: str
    href: str


@dataclass
class MenuGroup:
    title: str  # as in the guide: "Add users", "Manage users", "Target Setting"
    items: list[MenuItem] = field(default_factory=list)


ADMIN_GROUPS: dict[str, MenuGroup] = {
    title: MenuGroup(title) for title in ("Add users", "Manage users", "Target Setting")
}
MAIN_MENU: list[MenuItem] = []


def add_admin_item(group: str, label: str, href: str) -> None:
    items = ADMIN_GROUPS[group].items
    if all(item.href != href for item in items):
        items.append(MenuItem(label, href))


def add_main_item(label: str, href: str) -> None:
    if all(item.href != href for item in MAIN_MENU):
        MAIN_MENU.append(MenuItem(label, href))


def admin_groups() -> list[MenuGroup]:
    return [group for group in ADMIN_GROUPS.values() if group.items]


def admin_menu() -> list[MenuItem]:
    """The top menu: the first page of each group, named after the group."""
    return [MenuItem(group.title, group.items[0].href) for group in admin_groups()]

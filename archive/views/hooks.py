"""Buttons other apps add to the household and item pages, through Wagtail hooks.

archive imports no other app of ours; an app above it (scanning, ingest…) registers
``@hooks.register("hedang_household_buttons")`` or ``"hedang_item_buttons"`` with a function
``(request, obj) -> list[HeaderButton]``.
"""

from __future__ import annotations

from wagtail import hooks


def extra_buttons(hook_name: str, request, obj) -> list:
    buttons = []
    for hook in hooks.get_hooks(hook_name):
        buttons.extend(hook(request, obj) or [])
    return buttons

"""What the browser tests share: finding Chromium, and answering a SurveyJS page as a person would."""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def find_chromium() -> str | None:
    env = os.environ.get("YZMATURITY_CHROMIUM")
    if env:
        return env if Path(env).is_file() else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


def fill_page(page: Any, rng: random.Random, typed: Mapping[str, str]) -> None:
    """Answer every visible, unanswered question of the current page as a person would: click or type.

    ``typed`` gives the text typed into the enterprise fields it names; the other enterprise fields
    and the 'not applicable' boxes are left empty.
    """
    handled: set[str] = set()
    while True:
        names = page.eval_on_selector_all(
            ".sd-page .sd-question[data-name]", "els => els.map(e => e.getAttribute('data-name'))"
        )
        todo = [n for n in names if n not in handled]
        if not todo:
            return
        name = todo[0]
        handled.add(name)
        box = page.locator(f'.sd-question[data-name="{name}"]')
        if name.endswith("__na"):
            continue
        if name in typed:
            box.locator("input").first.fill(typed[name])
        elif name.startswith("enterprise_"):
            continue
        elif box.locator("label:has(input[type=radio]), label:has(input[type=checkbox])").count():
            items = box.locator("label:has(input[type=radio]), label:has(input[type=checkbox])")
            items.nth(rng.randrange(items.count())).click()
        elif box.locator(".sd-rating__item").count():
            items = box.locator(".sd-rating__item")
            items.nth(rng.randrange(items.count())).click()
        elif box.locator("select").count():
            options = box.locator("select option[value]:not([value=''])")
            box.locator("select").select_option(
                options.nth(rng.randrange(options.count())).get_attribute("value")
            )
        elif box.locator("input").count():
            box.locator("input").first.fill(str(rng.randint(0, 100)))
        elif box.locator(".sd-dropdown").count():
            box.locator(".sd-dropdown").click()
            page.locator(".sv-popup:visible .sv-list__item").first.click()
        # A question may appear or hide after this answer: read the page again.

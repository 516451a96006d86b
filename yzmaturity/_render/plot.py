"""The matplotlib radar of one assessment (``Assessment.plot``, the ``plot`` extra).

Chinese labels need a font with Chinese glyphs; without one the labels fall
back to English, so matplotlib never draws placeholder boxes.
"""

from __future__ import annotations

import textwrap
from functools import lru_cache
from typing import TYPE_CHECKING, cast

import numpy as np

from .._optional import require
from .labels import labels

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.font_manager import FontProperties
    from matplotlib.projections.polar import PolarAxes

    from .._assessment import Assessment

__all__ = ["cjk_font", "radar", "text_font"]

_CJK_SAMPLE = "维度数据装备"


def _has_glyphs(path: str, text: str) -> bool:
    from matplotlib.ft2font import FT2Font

    try:
        font = FT2Font(path)
    except (OSError, RuntimeError, ValueError):
        return False
    return all(font.get_char_index(ord(ch)) != 0 for ch in text if not ch.isspace())


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """A font file with Chinese glyphs: matplotlib's default if it has them, else an installed one."""
    from matplotlib import font_manager

    default = font_manager.findfont(font_manager.FontProperties(), fallback_to_default=True)
    if _has_glyphs(default, _CJK_SAMPLE):
        return default
    hints = ("cjk", "hei", "song", "kai", "ming", "yahei", "pingfang", "wenquanyi", "wqy", "han sans", "fang")
    fonts = sorted(
        font_manager.fontManager.ttflist, key=lambda f: not any(h in f.name.lower() for h in hints)
    )
    for f in fonts:
        # "Last Resort" (bundled with matplotlib) maps every character to a placeholder box.
        if "last resort" not in f.name.lower() and _has_glyphs(f.fname, _CJK_SAMPLE):
            return str(f.fname)
    return None


def text_font(text: str) -> FontProperties | bool | None:
    """How to draw ``text``: None (the default font has its glyphs), a CJK FontProperties, or False (cannot)."""
    from matplotlib import font_manager

    default = font_manager.findfont(font_manager.FontProperties(), fallback_to_default=True)
    if _has_glyphs(default, text):
        return None
    cjk = cjk_font()
    if cjk is not None and _has_glyphs(cjk, text):
        return font_manager.FontProperties(fname=cjk)
    return False


def radar(a: Assessment, ax: Axes | None = None, lang: str = "zh") -> Axes:
    """Radar of the top-level dimension scores of one assessment; returns the (polar) Axes.

    Chinese labels need a font with Chinese glyphs: without one, the labels fall
    back to English (and the enterprise name is left out of the title) so that
    matplotlib has nothing it cannot draw.
    """
    matplotlib = require("matplotlib", "plot()", "plot")
    from matplotlib import font_manager

    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en' (got {lang!r})")
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(6, 6), subplot_kw={"projection": "polar"}, layout="constrained")
    elif getattr(ax, "name", None) != "polar":
        raise ValueError("plot() draws a radar: pass polar axes (subplot_kw={'projection': 'polar'})")
    if lang == "zh" and cjk_font() is None:
        lang = "en"
    font_for = text_font

    tops = [d for d in a.dimensions.values() if d.depth == 0]
    axis_labels = [d.title.of(lang) + ("" if d.score is not None else " (n/a)") for d in tops]
    fonts = [font_for(t) for t in axis_labels]
    axis_labels = [
        textwrap.fill(t, 16) if f is not False else d.id
        for t, f, d in zip(axis_labels, fonts, tops, strict=True)
    ]
    values = np.array([0.0 if d.score is None else d.score for d in tops])
    angles = np.linspace(0.0, 2 * np.pi, len(tops), endpoint=False)
    closed_angles = np.append(angles, angles[:1])
    closed_values = np.append(values, values[:1])
    colour = matplotlib.rcParams["axes.prop_cycle"].by_key().get("color", ["#3b7dd8"])[0]
    ax.plot(closed_angles, closed_values, color=colour, linewidth=1.5, label=f"L{a.level.number}")
    ax.fill(closed_angles, closed_values, color=colour, alpha=0.2)
    polar = cast("PolarAxes", ax)
    polar.set_theta_zero_location("N")
    polar.set_theta_direction(-1)
    ax.set_ylim(0, 100)
    ax.set_yticks([20, 40, 60, 80, 100])
    ax.set_yticklabels(["20", "40", "60", "80", ""], fontsize=7, color="#777")
    ax.set_xticks(angles)
    ax.set_xticklabels(axis_labels, fontsize=8)
    for tick, f in zip(ax.get_xticklabels(), fonts, strict=True):
        if isinstance(f, font_manager.FontProperties):
            tick.set_fontproperties(f)
            tick.set_fontsize(8)
    score_line = f"{labels('display', lang)['radar_overall']} {a.overall:.1f} · L{a.level.number} {a.level.name.of(lang)}"
    for title in (
        f"{a.enterprise.name}\n{score_line}",
        score_line,
        f"overall {a.overall:.1f} · L{a.level.number}",
    ):
        title_font = font_for(title)
        if title_font is not False:
            break
    text = ax.set_title(title, fontsize=10)
    if isinstance(title_font, font_manager.FontProperties):
        text.set_fontproperties(title_font)
        text.set_fontsize(10)
    return ax

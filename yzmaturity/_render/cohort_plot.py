"""Cohort charts with matplotlib (the ``plot`` extra): levels by group, percentiles, the archetype map.

Each function draws on the given Axes (or a new figure's) and returns the Axes.  Labels are
Chinese (``lang="zh"``) or English; Chinese needs a font with Chinese glyphs, and without one
the labels fall back to English (as the radar does), so matplotlib never draws placeholder boxes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .._cohort import Position
from .._optional import require
from .cohort import DISTRICT, INDUSTRY, levels_by
from .labels import check_lang, labels
from .plot import cjk_font, text_font
from .svg import LEVEL_COLOURS

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from .._cohort import PeerPercentiles
    from .._scoring import BatchScores

__all__ = ["plot_archetypes", "plot_levels", "plot_percentiles"]


def _setup(ax: Axes | None, lang: str, size: tuple[float, float]) -> tuple[Axes, str]:
    """The Axes to draw on, and the language that can be drawn (English without a Chinese font)."""
    require("matplotlib", "cohort plots", "plot")
    check_lang(lang)
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax, "en" if lang == "zh" and cjk_font() is None else lang


def _fonts(ax: Axes) -> None:
    """Give every text of the Axes (ticks, labels, title, legend) a font that has its glyphs."""
    from matplotlib.font_manager import FontProperties

    texts = [*ax.get_xticklabels(), *ax.get_yticklabels(), ax.title, ax.xaxis.label, ax.yaxis.label]
    legend = ax.get_legend()
    if legend is not None:
        texts += [*legend.get_texts(), legend.get_title()]
    for text in texts:
        font = text_font(text.get_text()) if text.get_text() else None
        if isinstance(font, FontProperties):
            size = text.get_fontsize()
            text.set_fontproperties(font)
            text.set_fontsize(size)


def _safe(text: str) -> str:
    """``text`` if some installed font can draw it, else its ASCII part (a Chinese-only name: '?')."""
    if not text or text_font(text) is not False:
        return text
    return "".join(ch for ch in text if ord(ch) < 128).strip(" ·,") or "?"


def plot_levels(
    scores: BatchScores,
    by: str = DISTRICT,
    profile: Mapping[str, Any] | None = None,
    *,
    ax: Axes | None = None,
    lang: str = "zh",
) -> Axes:
    """Stacked bars of the maturity levels per group: a bar per district (``by="district"``),
    industry (``"industry"``) or profile-field value, a segment per level (valid rows).

    The counts are :func:`levels_by`'s: ``ax.containers[j]`` holds level ``j``'s
    segments, one per group in its order.
    """
    table = levels_by(scores, by, profile)
    ax, lang = _setup(ax, lang, (max(6.0, 0.45 * len(table.groups) + 2), 4.5))
    names = [_safe(name) for name in table.labels(lang)]
    x = np.arange(len(names))
    bottom = np.zeros(len(names))
    q_levels = {lv.number: lv.name.of(lang) for lv in scores.questionnaire.levels.levels}
    for j, lv in enumerate(table.levels):
        heights = table.counts[:, j].astype(float)
        ax.bar(
            x,
            heights,
            bottom=bottom,
            color=LEVEL_COLOURS[j % len(LEVEL_COLOURS)],
            edgecolor="white",
            linewidth=0.5,
            label=_safe(f"L{lv} {q_levels.get(lv, '')}".strip()),
        )
        bottom += heights
    ax.set_xticks(x)
    ax.set_xticklabels(
        names, rotation=45 if len(names) > 6 else 0, ha="right" if len(names) > 6 else "center"
    )
    ax.set_ylabel(labels("display", lang)["plot_count"])
    title = {
        DISTRICT: labels("display", lang)["plot_by_district"],
        INDUSTRY: labels("display", lang)["plot_by_industry"],
    }.get(by, labels("display", lang)["plot_by_field"])
    ax.set_title(title)
    ax.legend(fontsize=8, frameon=False)
    _fonts(ax)
    return ax


def plot_percentiles(
    result: Position | PeerPercentiles,
    rows: Sequence[int] = (),
    *,
    names: Sequence[str] | None = None,
    ax: Axes | None = None,
    lang: str = "zh",
) -> Axes:
    """Horizontal bars of percentiles among peers, one group of bars per dimension (and overall).

    ``result`` is one enterprise's :class:`~yzmaturity.Position`, or a
    :class:`~yzmaturity.PeerPercentiles` with the ``rows`` to show (a bar
    per row, named by ``names``, default ``#row``).  A dashed line marks the
    peers' median (50 %).  ``ax.containers[k]`` holds series ``k``'s bars.
    """
    if isinstance(result, Position):
        columns = list(result.percentiles)
        series = [np.array([result.percentiles[c] for c in columns], dtype=float)]
        default_names = [str(getattr(result, "name", None) or "")]
    else:
        if not rows:
            raise ValueError("give the rows of the PeerPercentiles to plot, e.g. rows=[0, 1]")
        columns = list(result.columns)
        series = [np.asarray(result.percentiles[int(r)], dtype=float) for r in rows]
        default_names = [f"#{int(r)}" for r in rows]
    labels_ = [_safe(str(n)) for n in (names if names is not None else default_names)]
    if len(labels_) != len(series):
        raise ValueError(f"{len(labels_)} names for {len(series)} series")
    ax, lang = _setup(ax, lang, (7.0, 0.5 * len(columns) + 1.5))
    titles = getattr(result, "titles", {}) or {}
    ticks = [_safe(titles[c].of(lang)) if c in titles else c for c in columns]
    y = np.arange(len(columns))
    height = 0.8 / len(series)
    for k, (values, label) in enumerate(zip(series, labels_, strict=True)):
        ax.barh(
            y - 0.4 + height * (k + 0.5),
            np.nan_to_num(values, nan=0.0),
            height=height,
            label=label or None,
        )
    ax.axvline(50, color="#777777", linestyle="--", linewidth=1)
    ax.set_yticks(y)
    ax.set_yticklabels(ticks)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel(labels("display", lang)["plot_percentile"])
    ax.set_title(labels("display", lang)["plot_percentiles"])
    if any(labels_):
        ax.legend(fontsize=8, frameon=False)
    _fonts(ax)
    return ax


def _feature_rows(model: Any, X: Any) -> np.ndarray:
    """The (n, D) feature rows to project: a BatchScores' valid rows (the model's features), else X."""
    if hasattr(X, "questionnaire") and hasattr(X, "dimension"):
        names = [str(c) for c in getattr(model, "feature_names_in_", [])]
        if not names:
            cq = X.questionnaire.compiled()
            names = [cq.dim_ids[d] for d in cq.top_dims]
        values = np.column_stack([X.dimension(c) for c in names])
        return np.asarray(values[np.asarray(X.valid, dtype=bool)], dtype=float)
    values = np.asarray(X, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"X must be 2-D (rows x dimensions), got shape {values.shape}")
    bad = np.isnan(values).any(axis=1)
    if bad.any():
        raise ValueError(
            f"{int(bad.sum())} of {len(values)} rows have NaN scores (invalid rows): keep the valid ones, "
            "e.g. X[scores.valid], or pass the BatchScores itself"
        )
    return values


def plot_archetypes(model: Any, X: Any, *, ax: Axes | None = None, lang: str = "zh") -> Axes:
    """The archetype map: each enterprise at its first two principal components, coloured by archetype.

    ``model`` is a fitted :class:`yzmaturity.ml.ArchetypeClustering`; ``X`` its
    features (an array or frame of dimension scores, or a BatchScores: its
    valid rows).  Rows are standardised as the model does and assigned to
    the nearest centre (what ``model.predict`` gives); the components come
    from a singular value decomposition of the standardised rows, and the
    centres are marked with a cross.  The legend names the archetypes
    (``model.archetype_names_``); ``ax.collections[k]`` holds archetype
    ``k``'s points.
    """
    for attr in ("mean_", "scale_", "cluster_centers_std_", "archetype_names_"):
        if not hasattr(model, attr):
            raise ValueError("plot_archetypes needs a fitted ArchetypeClustering (call fit first)")
    values = _feature_rows(model, X)
    if values.shape[1] != len(model.mean_):
        raise ValueError(f"X has {values.shape[1]} dimensions; the model was fitted on {len(model.mean_)}")
    ax, lang = _setup(ax, lang, (7.0, 5.5))
    z = (values - model.mean_) / model.scale_
    centres = np.asarray(model.cluster_centers_std_)
    assigned = np.argmin(((z[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2), axis=1)
    centre = z.mean(axis=0)
    _, singular, vt = np.linalg.svd(z - centre, full_matrices=False)
    components = vt[:2] if vt.shape[0] >= 2 else np.vstack([vt, np.zeros_like(vt)])[:2]
    points = (z - centre) @ components.T
    marks = (centres - centre) @ components.T
    explained = singular**2 / max(float((singular**2).sum()), 1e-12)
    colours = ["#1f5fa8", "#d9731a", "#1e7b45", "#b3261e", "#7a4fa3", "#8a6d3b", "#2a9d8f", "#5d6b79"]
    for k, name in enumerate(model.archetype_names_):
        mine = assigned == k
        colour = colours[k % len(colours)]
        ax.scatter(
            points[mine, 0], points[mine, 1], s=12, alpha=0.6, color=colour, label=_safe(name.of(lang))
        )
    for k in range(len(centres)):
        ax.plot(marks[k, 0], marks[k, 1], marker="X", markersize=11, color=colours[k % len(colours)],
                markeredgecolor="black", linestyle="none")  # fmt: skip
    share = [100 * float(explained[i]) if i < explained.size else 0.0 for i in (0, 1)]
    ax.set_xlabel(f"{labels('display', lang)['plot_component']} 1 ({share[0]:.0f}%)")
    ax.set_ylabel(f"{labels('display', lang)['plot_component']} 2 ({share[1]:.0f}%)")
    ax.set_title(labels("display", lang)["plot_archetypes"])
    ax.legend(fontsize=8, frameon=False, loc="best")
    _fonts(ax)
    return ax

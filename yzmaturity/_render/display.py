"""Rich display in Jupyter: small, self-contained HTML and an optional radar plot.

Every ``_repr_mimebundle_`` of the public result classes lands here.  The HTML
uses inline styles only: no scripts, no links, no network, so a notebook saved
with its outputs shows the same everywhere.  Every text that comes from a file
or a user (enterprise names, titles, reasons, error messages) is escaped.

Labels are Chinese first, with the English in grey after them.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Container, Iterable, Sequence
from functools import lru_cache
from html import escape
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from .._optional import require
from .._text import Text
from .labels import labels, pair

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.projections.polar import PolarAxes

    from .._assessment import Assessment
    from .._compare import Comparison
    from .._matching import CohortMatch
    from .._model import Dimension, Questionnaire
    from .._scoring import BatchScores

__all__ = [
    "assessment_html",
    "batch_html",
    "cohort_html",
    "comparison_html",
    "mimebundle",
    "questionnaire_html",
    "radar",
]

_BOX = "font-family:sans-serif;font-size:13px;line-height:1.4;max-width:820px;color:#222"
_TABLE = "border-collapse:collapse;margin:4px 0 10px 0"
_TH = "text-align:left;padding:2px 8px;border-bottom:1px solid #999;font-weight:600;background:#f4f4f4"
_TD = "text-align:left;padding:2px 8px;border-bottom:1px solid #e4e4e4;vertical-align:top"
_NUM = "text-align:right;padding:2px 8px;border-bottom:1px solid #e4e4e4;font-variant-numeric:tabular-nums"
_GREY = "color:#777;font-size:90%"
_HEAD = "font-size:15px;font-weight:600;margin:0 0 2px 0"
_SECTION = "font-weight:600;margin:8px 0 2px 0"


# --------------------------------------------------------------------------- building blocks
def _label(key: str) -> str:
    zh, en = pair("display", key)
    return f'{escape(zh)} <span style="{_GREY}">{escape(en)}</span>'


def _state(state: str) -> str:
    zh, en = labels("state", "zh").get(state, state), labels("state", "en").get(state, state)
    return f'{escape(zh)} <span style="{_GREY}">{escape(en)}</span>'


def _text(t: Text | None) -> str:
    """A bilingual text, escaped: Chinese, then the English in grey when it differs."""
    if t is None:
        return ""
    main = escape(t.of("zh"))
    if t.zh and t.en and t.en != t.zh:
        return f'{main} <span style="{_GREY}">{escape(t.en)}</span>'
    return main


def _num(value: float | None, fmt: str = ".1f") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return format(value, fmt)


def _signed(value: float | None, fmt: str = "+.1f") -> str:
    if value is None or math.isnan(value):
        return "—"
    colour = "#1a7f37" if value > 0 else "#b42318" if value < 0 else "#555"
    return f'<span style="color:{colour}">{format(value, fmt)}</span>'


def _bar(score: float | None, width: int = 120) -> str:
    """A horizontal bar for a 0-100 score: plain divs, inline styles."""
    if score is None or math.isnan(score):
        return f'<div style="width:{width}px;height:8px"></div>'
    pct = max(0.0, min(100.0, float(score)))
    return (
        f'<div style="width:{width}px;height:8px;background:#e8e8e8;border-radius:2px">'
        f'<div style="width:{pct:.1f}%;height:8px;background:#3b7dd8;border-radius:2px"></div></div>'
    )


def _table(headers: Sequence[str], rows: Iterable[Sequence[tuple[str, str]]]) -> str:
    """A table; ``headers`` are HTML, each cell is (HTML, style); numeric columns get right-aligned heads."""
    rows = list(rows)
    first = rows[0] if rows else ()
    head = "".join(
        f'<th style="{_TH}{";text-align:right" if i < len(first) and first[i][1] == _NUM else ""}">{h}</th>'
        for i, h in enumerate(headers)
    )
    body = "".join(
        "<tr>" + "".join(f'<td style="{style}">{cell}</td>' for cell, style in row) + "</tr>" for row in rows
    )
    return f'<table style="{_TABLE}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _box(*parts: str) -> str:
    return f'<div class="yzmaturity" style="{_BOX}">' + "".join(parts) + "</div>"


def _para(html: str, style: str = "margin:2px 0") -> str:
    return f'<div style="{style}">{html}</div>'


def _indent(depth: int) -> str:
    return f"padding-left:{8 + 16 * depth}px;" if depth else ""


# --------------------------------------------------------------------------- the mime bundle
def mimebundle(
    obj: object,
    render: Callable[[Any], str],
    include: Container[str] | None = None,
    exclude: Container[str] | None = None,
) -> dict[str, str]:
    """IPython's rich display: ``text/plain`` (the repr) and ``text/html``, honouring include/exclude."""

    def wanted(mime: str) -> bool:
        return (include is None or mime in include) and (exclude is None or mime not in exclude)

    out: dict[str, str] = {}
    if wanted("text/plain"):
        out["text/plain"] = repr(obj)
    if wanted("text/html"):
        out["text/html"] = render(obj)
    return out


# --------------------------------------------------------------------------- questionnaire
def _count_questions(dim: Dimension) -> int:
    return sum(len(d.questions) for d in dim.walk())


def questionnaire_html(q: Questionnaire) -> str:
    """Identity, the dimension tree (question counts and weights) and the levels."""
    n_q = sum(1 for _ in q.iter_questions())
    head = _para(f"{_text(q.title)}", _HEAD) + _para(
        f"<code>{escape(q.id)}</code> v{escape(q.version)} · {len(q.dimensions)} {_label('dimension')} · "
        f"{n_q} {_label('questions')} · {len(q.levels.levels) - 1} {_label('levels')}",
        f"margin:2px 0;{_GREY}",
    )
    source = "" if q.source is None else _para(escape(q.source.citation), f"margin:2px 0;{_GREY}")

    rows: list[list[tuple[str, str]]] = []

    def walk(dim: Dimension, depth: int) -> None:
        title = _text(dim.title)
        if not dim.scored:
            title += f' <span style="{_GREY}">({_label("not_scored")})</span>'
        rows.append(
            [
                (title, _TD + _indent(depth)),
                (f"<code>{escape(dim.id)}</code>", _TD),
                (f"{dim.weight:g}", _NUM),
                (str(_count_questions(dim)), _NUM),
            ]
        )
        for child in dim.dimensions:
            walk(child, depth + 1)

    for dim in q.dimensions:
        walk(dim, 0)
    dims = _table([_label("dimension"), "id", _label("weight"), _label("questions")], rows)
    levels = _table(
        ["", "id", _label("level")],
        [
            [(f"L{lv.number}", _TD), (f"<code>{escape(lv.id)}</code>", _TD), (_text(lv.name), _TD)]
            for lv in q.levels.levels
        ],
    )
    return _box(head, source, dims, _para(_label("levels"), _SECTION), levels)


# --------------------------------------------------------------------------- one assessment
def assessment_html(a: Assessment) -> str:
    """Enterprise, overall and level, a bar per dimension, the top three support categories."""
    e = a.enterprise
    date = "" if a.sheet.date is None else f" · {escape(a.sheet.date.isoformat())}"
    head = _para(escape(e.name), _HEAD) + _para(
        f"<code>{escape(a.questionnaire_id)}</code> v{escape(a.questionnaire_version)}{date}",
        f"margin:2px 0;{_GREY}",
    )
    score = _para(
        f"{_label('overall')}: <b>{a.overall:.1f}</b> / 100 &nbsp; "
        f"{_label('level')}: <b>L{a.level.number}</b> {_text(a.level.name)}",
        "margin:6px 0",
    )
    dims = _table(
        [_label("dimension"), _label("score"), "", _label("level"), _label("answered")],
        [
            [
                (_text(d.title), _TD + _indent(d.depth)),
                (_num(d.score), _NUM),
                (_bar(d.score), _TD + "vertical-align:middle"),
                ("" if d.level is None else f"L{d.level}", _TD),
                (f"{d.answered}/{d.questions}", _NUM),
            ]
            for d in a.dimensions.values()
        ],
    )
    parts = [head, score, dims]
    recs = a.recommendations[:3]
    if recs:
        parts.append(_para(_label("recommendations"), _SECTION))
        parts.append(
            _table(
                ["#", _label("category"), _label("fit"), _label("eligibility")],
                [
                    [
                        (str(i), _NUM),
                        (_text(r.name) + _reason(r.reasons[0].text if r.reasons else None), _TD),
                        (f"{r.fit:.2f}", _NUM),
                        (_state(r.eligibility), _TD),
                    ]
                    for i, r in enumerate(recs, start=1)
                ],
            )
        )
    if a.warnings:
        parts.append(_para(f"{_label('warnings')}: {len(a.warnings)}", f"margin:2px 0;{_GREY}"))
    return _box(*parts)


def _reason(t: Text | None) -> str:
    return "" if t is None else f'<div style="{_GREY}">+ {escape(t.of("zh"))}</div>'


# --------------------------------------------------------------------------- comparison
def comparison_html(c: Comparison) -> str:
    """Overall and level change, and every dimension before / after / change."""
    head = _para(escape(c.after.enterprise.name), _HEAD)
    dates = [a.sheet.date for a in (c.before, c.after)]
    if any(d is not None for d in dates):
        head += _para(
            " → ".join("?" if d is None else escape(d.isoformat()) for d in dates), f"margin:2px 0;{_GREY}"
        )
    lv0, lv1 = c.before.level, c.after.level
    summary = _para(
        f"{_label('overall')}: {_num(c.overall.before)} → <b>{_num(c.overall.after)}</b> "
        f"({_signed(c.overall.change)}) &nbsp; "
        f"{_label('level')}: L{lv0.number} {_text(lv0.name)} → <b>L{lv1.number}</b> {_text(lv1.name)}",
        "margin:6px 0",
    )
    after_dims = c.after.dimensions
    rows = []
    for did, delta in c.dimensions.items():
        d = after_dims[did]
        rows.append(
            [
                (_text(d.title), _TD + _indent(d.depth)),
                (_num(delta.before), _NUM),
                (_num(delta.after), _NUM),
                (_signed(delta.change), _NUM),
            ]
        )
    table = _table([_label("dimension"), _label("before"), _label("after"), _label("change")], rows)
    parts = [head, summary, table, _para(f"{_label('answers_changed')}: {len(c.answers_changed)}")]
    changed = c.categories_changed
    if changed:
        names = {r.category: r.name for r in c.after.recommendations}
        parts.append(_para(_label("categories_changed"), _SECTION))
        parts.append(
            _table(
                [_label("category"), _label("fit"), _label("eligibility")],
                [
                    [
                        (_text(names.get(cat.category)) or escape(cat.category), _TD),
                        (f"{_num(cat.fit.before, '.2f')} → {_num(cat.fit.after, '.2f')}", _NUM),
                        (f"{_state(cat.eligibility_before)} → {_state(cat.eligibility_after)}", _TD),
                    ]
                    for cat in changed
                ],
            )
        )
    for note in c.notes:
        parts.append(_para("! " + escape(str(note)), "margin:2px 0;color:#9a6700"))
    return _box(*parts)


# --------------------------------------------------------------------------- batch
def _mean(values: np.ndarray) -> float | None:
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if finite.size else None


def batch_html(s: BatchScores, max_errors: int = 5) -> str:
    """Rows, invalid rows, mean overall, level distribution and the mean of every top-level dimension."""
    q = s.questionnaire
    n, bad = len(s), s.n_invalid
    valid = s.valid
    head = _para(f"{_text(q.title)}", _HEAD) + _para(
        f"<code>{escape(q.id)}</code> v{escape(q.version)}", f"margin:2px 0;{_GREY}"
    )
    summary = _para(
        f"{_label('rows')}: <b>{n}</b> &nbsp; {_label('invalid')}: <b>{bad}</b> &nbsp; "
        f"{_label('mean_overall')}: <b>{_num(_mean(s.overall[valid]))}</b>",
        "margin:6px 0",
    )
    counts = s.level_counts()
    n_valid = n - bad
    levels = _table(
        [_label("level"), _label("count"), _label("share")],
        [
            [
                (f"L{lv.number} {_text(lv.name)}", _TD),
                (str(counts.get(lv.number, 0)), _NUM),
                (f"{100 * counts.get(lv.number, 0) / n_valid:.0f}%" if n_valid else "—", _NUM),
            ]
            for lv in q.levels.levels
        ],
    )
    cq = q.compiled()
    rows = []
    for d, dim in enumerate(cq.dims):
        if cq.parent[d] >= 0:
            continue
        mean = _mean(s.dimensions[valid, d])
        rows.append(
            [(_text(dim.title), _TD), (_num(mean), _NUM), (_bar(mean), _TD + "vertical-align:middle")]
        )
    dims = _table([_label("dimension"), _label("mean"), ""], rows)
    parts = [head, summary, _para(_label("levels"), _SECTION), levels, _para(_label("mean"), _SECTION), dims]
    if bad:
        lines = []
        for i in s.errors.rows()[:max_errors]:
            who = s.row_ids[i] if s.row_ids is not None and i < len(s.row_ids) else f"row {i}"
            first = s.errors[i][0] if s.errors[i] else None
            lines.append(
                f"<li>{i}: {escape(str(who))}"
                + ("" if first is None else f" — {escape(str(first))}")
                + "</li>"
            )
        more = "" if bad <= max_errors else f"<li>… +{bad - max_errors}</li>"
        parts.append(_para(_label("invalid"), _SECTION))
        parts.append(f'<ul style="margin:2px 0;padding-left:20px;{_GREY}">{"".join(lines)}{more}</ul>')
    return _box(*parts)


# --------------------------------------------------------------------------- cohort
def cohort_html(m: CohortMatch) -> str:
    """Per category: how many valid rows are in each eligibility state, fit at least 0.5, top choice."""
    counts = m.counts()
    head = _para(f"{_text(m.catalog.title)}", _HEAD) + _para(
        f"<code>{escape(m.catalog.id)}</code> · {_label('rows')}: {int(m.valid.sum())}",
        f"margin:2px 0;{_GREY}",
    )
    states = list(labels("state", "zh"))
    table = _table(
        [_label("category"), *(_state(s) for s in states), _label("fit_half"), _label("top_choice")],
        [
            [
                (_text(c.name), _TD),
                *((str(counts[c.id][s]), _NUM) for s in states),
                (str(counts[c.id]["fit_at_least_half"]), _NUM),
                (str(counts[c.id]["top_choice"]), _NUM),
            ]
            for c in m.catalog.categories
        ],
    )
    return _box(head, table)


# --------------------------------------------------------------------------- radar plot
_CJK_SAMPLE = "维度数据装备"


def _has_glyphs(path: str, text: str) -> bool:
    from matplotlib.ft2font import FT2Font

    try:
        font = FT2Font(path)
    except (OSError, RuntimeError, ValueError):
        return False
    return all(font.get_char_index(ord(ch)) != 0 for ch in text if not ch.isspace())


@lru_cache(maxsize=1)
def _cjk_font() -> str | None:
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
    cjk = _cjk_font()
    if lang == "zh" and cjk is None:
        lang = "en"
    default = font_manager.findfont(font_manager.FontProperties(), fallback_to_default=True)

    def font_for(text: str) -> font_manager.FontProperties | bool | None:
        """None: the default font will do; a FontProperties: use it; False: cannot be drawn."""
        if _has_glyphs(default, text):
            return None
        if cjk is not None and _has_glyphs(cjk, text):
            return font_manager.FontProperties(fname=cjk)
        return False

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

"""Rich display in Jupyter: small, self-contained HTML (the radar plot is in ``plot.py``).

Every ``_repr_mimebundle_`` of the public result classes lands here.  The HTML
uses inline styles only: no scripts, no links, no network, so a notebook saved
with its outputs shows the same everywhere.  Every text that comes from a file
or a user (enterprise names, titles, reasons, error messages) is escaped.

Labels are Chinese first, with the English in grey after them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Container, Iterable, Sequence
from html import escape
from typing import TYPE_CHECKING, Any

import numpy as np

from .._text import Text
from .labels import labels, pair

if TYPE_CHECKING:
    from .._assessment import Assessment
    from .._cohort import PeerPercentiles
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
    "percentiles_html",
    "questionnaire_html",
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
                        (f"{round(r.fit * 100)}%", _NUM),
                        (_state(r.eligibility), _TD),
                    ]
                    for i, r in enumerate(recs, start=1)
                ],
            )
        )
    if a.warnings:
        parts.append(_para(f"{_label('warnings')}: {len(a.warnings)}", f"margin:2px 0;{_GREY}"))
        for w in a.warnings[:5]:
            parts.append(
                _para(
                    "! " + escape(w.text("zh")) + f' <span style="{_GREY}">{escape(w.text("en"))}</span>',
                    "margin:2px 0;color:#9a6700",
                )
            )
    return _box(*parts)


def _pct(fit: float | None) -> str:
    return "—" if fit is None else f"{round(fit * 100)}%"


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
                        (f"{_pct(cat.fit.before)} → {_pct(cat.fit.after)}", _NUM),
                        (f"{_state(cat.eligibility_before)} → {_state(cat.eligibility_after)}", _TD),
                    ]
                    for cat in changed
                ],
            )
        )
    for note in c.notes:
        parts.append(
            _para(
                "! " + escape(note.text("zh")) + " / " + escape(note.text("en")), "margin:2px 0;color:#9a6700"
            )
        )
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


# --------------------------------------------------------------------------- peer percentiles
def _field(name: str) -> str:
    zh, en = labels("profile", "zh").get(name, name), labels("profile", "en").get(name, name)
    return f'{escape(zh)} <span style="{_GREY}">{escape(en)}</span>'


def _group(p: PeerPercentiles, row: int) -> str:
    zh, en = p.group_label(row, "zh"), p.group_label(row, "en")
    return escape(zh) + ("" if en == zh else f' <span style="{_GREY}">{escape(en)}</span>')


def percentiles_html(p: PeerPercentiles, max_groups: int = 15) -> str:
    """The peer groups (valid rows placed in each, peers, coarser fall-backs) and each column's quartiles."""
    valid = np.asarray(p.valid, dtype=bool)
    n_valid = int(valid.sum())
    fell = int((p.fell_back & valid).sum())
    head = _para(_label("peer_percentiles"), _HEAD) + _para(
        f"{_label('peer_keys')}: " + " · ".join(_field(f) for f in p.by) + f" &nbsp; {_label('min_group')}: "
        f"{p.min_group}",
        f"margin:2px 0;{_GREY}",
    )
    share = f"{100 * fell / n_valid:.0f}%" if n_valid else "—"
    summary = _para(
        f"{_label('rows')}: <b>{len(p)}</b> &nbsp; {_label('ranked')}: <b>{n_valid}</b> &nbsp; "
        f"{_label('fell_back')}: <b>{fell}</b> ({share})",
        "margin:6px 0",
    )
    # one entry per group used: (keys used, values) -> [valid rows placed in it, peers, a row of it]
    groups: dict[tuple[int, tuple[str, ...]], list[int]] = {}
    for row in np.flatnonzero(valid).tolist():
        k = int(p.keys_used[row])
        entry = groups.setdefault((k, tuple(p.group[row])), [0, int(p.group_size[row]), row])
        entry[0] += 1
    ordered = sorted(groups.items(), key=lambda item: (-item[1][0], item[0][1]))
    rows = [
        [
            (_group(p, first), _TD),
            (_label("full_group") if k == len(p.by) else _label("coarser_group"), _TD),
            (str(placed), _NUM),
            (str(peers), _NUM),
        ]
        for (k, _), (placed, peers, first) in ordered[:max_groups]
    ]
    table = _table([_label("peer_group"), _label("peer_keys"), _label("rows"), _label("group_size")], rows)
    more = len(ordered) - max_groups
    parts = [head, summary, _para(f"{_label('groups')}: {len(ordered)}", _SECTION), table]
    if more > 0:
        parts.append(_para(f"… +{more}", f"margin:2px 0;{_GREY}"))
    columns = []
    for c, column in enumerate(p.columns):
        values = p.percentiles[valid, c]
        values = values[~np.isnan(values)]
        q = np.percentile(values, [25, 50, 75]) if values.size else [None, None, None]
        title = p.titles.get(column)
        columns.append(
            [
                (_text(title) if title is not None else f"<code>{escape(column)}</code>", _TD),
                (str(values.size), _NUM),
                *((_num(None if v is None else float(v), ".0f"), _NUM) for v in q),
            ]
        )
    parts.append(_para(_label("percentile"), _SECTION))
    parts.append(
        _table([_label("dimension"), _label("ranked"), _label("q1"), _label("median"), _label("q3")], columns)
    )
    return _box(*parts)

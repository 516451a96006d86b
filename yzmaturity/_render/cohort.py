"""The analyst's view of a cohort: maturity levels by district and by industry, the weakest
dimensions, the demand per funding category, and the city's cohort report built from them.

Groups are read from the profile: the **district** is the ``region`` field, or, where it is
blank, the administrative division in characters 3-8 of the unified social credit code
(GB 32100-2015; Yangzhou's county-level divisions are named, others keep their six digits);
the **industry** is the GB/T 4754 division (``C36``) of the industry code.  Every count is of
*valid* rows (an invalid row has no level); rows whose group is unknown are counted in an
"unknown" group, so that every valid row is in exactly one group.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .._cohort import DIVISION_NAMES, encode_key, key_label, profile_column
from .._reference import YANGZHOU_DIVISIONS
from .._version import __version__
from .fmt import markup
from .labels import check_lang, labels
from .report import Report
from .svg import LEVEL_COLOURS, bar_chart, stacked_bars

if TYPE_CHECKING:
    from .._matching import CohortMatch
    from .._scoring import BatchScores

__all__ = [
    "DISTRICT",
    "INDUSTRY",
    "GroupLevels",
    "build_cohort_report",
    "group_keys",
    "is_synthetic",
    "levels_by",
    "weakest_dimensions",
]

DISTRICT = "district"
INDUSTRY = "industry"
SYNTHETIC_MARK = "(synthetic)"  # every name made by yzmaturity.datasets ends so
# English names of Yangzhou's functional zones (the districts' come with the region labels).
_ZONES_EN = {
    "扬州经济技术开发区": "Yangzhou Economic and Technological Development Zone",
    "生态科技新城": "Eco-Tech New Town",
    "蜀冈—瘦西湖风景名胜区": "Shugang-Slender West Lake Scenic Area",
}


# --------------------------------------------------------------------------- groups
def _text_column(scores: BatchScores, name: str, profile: Mapping[str, Any] | None) -> list[str | None]:
    try:
        values = profile_column(scores, name, profile)
    except ValueError:
        return [None] * len(scores)
    out: list[str | None] = []
    for v in values.tolist():
        text = "" if v is None or (isinstance(v, float) and v != v) else str(v).strip()
        out.append(text or None)
    return out


def _district_of_code(code: str | None) -> str | None:
    """The county-level division of a credit code (characters 3-8), named where it is Yangzhou's."""
    if code is None or len(code) != 18:
        return None
    division = code[2:8]
    if not division.isdigit():
        return None
    return YANGZHOU_DIVISIONS.get(division, division)


def group_keys(scores: BatchScores, by: str, profile: Mapping[str, Any] | None = None) -> np.ndarray:
    """(N,) the group key of every row (None where unknown): a district, an industry division, or a field's value.

    ``by`` is ``"district"`` (the region, else the credit code's division),
    ``"industry"`` (``C36``...) or any profile field (see :func:`yzmaturity.peer_percentiles`).
    """
    n = len(scores)
    keys = np.empty(n, dtype=object)
    if by == DISTRICT:
        regions = _text_column(scores, "region", profile)
        codes = _text_column(scores, "credit_code", profile)
        keys[:] = [r if r is not None else _district_of_code(c) for r, c in zip(regions, codes, strict=True)]
        return keys
    field_name = "industry_division" if by == INDUSTRY else by
    codes_, names = encode_key(field_name, profile_column(scores, field_name, profile))
    lookup = np.array([*names, None], dtype=object)
    keys[:] = lookup[np.where(codes_ >= 0, codes_, len(names))]
    return keys


def _group_text(by: str, key: str | None, lang: str) -> str:
    if key is None:
        return labels("report", lang)["unknown"]
    if by == DISTRICT:
        return _ZONES_EN.get(key, key_label("region", key, lang)) if lang == "en" else key
    if by == INDUSTRY:
        digits = "".join(ch for ch in key if ch.isdigit())
        names = DIVISION_NAMES.get(int(digits)) if digits else None
        return key if names is None else f"{key} {names[0] if lang == 'zh' else names[1]}"
    return key_label(by, key, lang)


@dataclass(frozen=True)
class GroupLevels:
    """How many valid rows of each group reached each maturity level.

    ``groups`` are the keys (None: unknown), largest group first, unknown
    last; ``levels`` the level numbers; ``counts`` (G, L) the valid rows per
    group and level.  :meth:`labels` names the groups for people.
    """

    by: str
    groups: list[str | None]
    levels: list[int]
    counts: np.ndarray

    @property
    def totals(self) -> np.ndarray:
        """(G,) valid rows per group."""
        return np.asarray(self.counts.sum(axis=1))

    def labels(self, lang: str = "zh") -> list[str]:
        """The groups for people: '江都区' / 'Jiangdu', 'C36 汽车制造业' / 'C36 automotive', '未知' / 'unknown'."""
        check_lang(lang)
        return [_group_text(self.by, g, lang) for g in self.groups]

    def to_dict(self) -> dict[str, Any]:
        """``{group: {level: count}}`` (JSON-ready; the unknown group is ``""``)."""
        return {
            ("" if g is None else g): {f"L{lv}": int(c) for lv, c in zip(self.levels, row, strict=True)}
            for g, row in zip(self.groups, self.counts.tolist(), strict=True)
        }


def levels_by(
    scores: BatchScores, by: str = DISTRICT, profile: Mapping[str, Any] | None = None
) -> GroupLevels:
    """Valid rows per maturity level in each district (``by="district"``), industry (``"industry"``) or field value.

    >>> import yzmaturity as yz
    >>> from yzmaturity.datasets import make_cohort
    >>> scores = make_cohort(300, seed=1).score()
    >>> table = yz.levels_by(scores, "district")
    >>> int(table.counts.sum()) == int(scores.valid.sum())
    True
    >>> table.labels("en")[:2], table.levels
    (['Jiangdu', 'Hanjiang'], [0, 1, 2, 3, 4, 5])
    """
    keys = group_keys(scores, by, profile)
    valid = np.asarray(scores.valid, dtype=bool)
    levels = [lv.number for lv in scores.questionnaire.levels.levels]
    known = sorted({k for k in keys[valid].tolist() if k is not None})
    index = {k: i for i, k in enumerate(known)}
    group = np.array([index.get(k, len(known)) if k is not None else len(known) for k in keys.tolist()])
    level_index = np.searchsorted(np.asarray(levels), scores.level)
    counts = np.zeros((len(known) + 1, len(levels)), dtype=np.int64)
    np.add.at(counts, (group[valid], level_index[valid]), 1)
    order = sorted(range(len(known)), key=lambda i: (-int(counts[i].sum()), known[i]))
    groups: list[str | None] = [known[i] for i in order]
    rows = [counts[i] for i in order]
    if counts[len(known)].sum():
        groups.append(None)
        rows.append(counts[len(known)])
    matrix = np.array(rows, dtype=np.int64).reshape(len(rows), len(levels))
    return GroupLevels(by=by, groups=groups, levels=levels, counts=matrix)


def weakest_dimensions(scores: BatchScores, k: int = 8) -> list[dict[str, Any]]:
    """The ``k`` dimensions (any depth) with the lowest mean over valid rows, weakest first.

    Each: ``id``, ``title`` and ``parent`` (:class:`~yzmaturity.Text`, parent
    None at the top), ``top`` (a top-level dimension?), ``n`` (rows with a
    score), ``mean``, ``q1``, ``median``, ``q3``.
    """
    cq = scores.questionnaire.compiled()
    valid = np.asarray(scores.valid, dtype=bool)
    out = []
    for d, dim in enumerate(cq.dims):
        values = scores.dimensions[valid, d]
        values = values[~np.isnan(values)]
        if values.size == 0:
            continue
        q1, median, q3 = (float(x) for x in np.percentile(values, [25, 50, 75]))
        parent = int(cq.parent[d])
        out.append(
            {
                "id": dim.id,
                "title": dim.title,
                "parent": None if parent < 0 else cq.dims[parent].title,
                "top": parent < 0,
                "n": int(values.size),
                "mean": float(values.mean()),
                "q1": q1,
                "median": median,
                "q3": q3,
            }
        )
    out.sort(key=lambda row: (row["mean"], row["id"]))
    return out[:k]


def is_synthetic(scores: BatchScores, profile: Mapping[str, Any] | None = None) -> bool:
    """True when some enterprise name carries the ``(synthetic)`` mark of :mod:`yzmaturity.datasets`."""
    return any(
        name is not None and name.endswith(SYNTHETIC_MARK) for name in _text_column(scores, "name", profile)
    )


# --------------------------------------------------------------------------- the report
def _num(value: float | None, digits: int = 1) -> str:
    return "—" if value is None or value != value else f"{value:.{digits}f}"


def _share(count: int, total: int) -> str:
    return f"{100 * count / total:.1f}%" if total else "—"


def _group_section(table: GroupLevels, level_names: list[str], lang: str, title: str) -> dict[str, Any]:
    labels_ = table.labels(lang)
    series = [(f"L{lv}", LEVEL_COLOURS[i % len(LEVEL_COLOURS)]) for i, lv in enumerate(table.levels)]
    return {
        "svg": markup(stacked_bars(labels_, series, table.counts.tolist(), title=title)),
        "levels": [f"L{lv}" for lv in table.levels],
        "level_titles": level_names,
        "rows": [
            {"label": label, "counts": [int(c) for c in row], "total": int(sum(row))}
            for label, row in zip(labels_, table.counts.tolist(), strict=True)
        ],
    }


def _demand(match: CohortMatch, lang: str) -> list[dict[str, Any]]:
    counts = match.counts()
    names = {c.id: c.name.of(lang) for c in match.catalog.categories}
    return [
        {
            "name": names.get(cid, cid),
            "eligible": row["eligible"],
            "needs_checking": row["needs_checking"],
            "not_eligible": row["not_eligible"],
            "not_applicable": row["not_applicable"],
            "fit_half": row["fit_at_least_half"],
            "top_choice": row["top_choice"],
        }
        for cid, row in counts.items()
    ]


def build_cohort_report(
    scores: BatchScores,
    match: CohortMatch | None = None,
    lang: str = "zh",
    *,
    profile: Mapping[str, Any] | None = None,
    city: str | None = None,
    synthetic: bool | None = None,
    weakest: int = 8,
) -> Report:
    """The cohort report of ``scores``; the demand per category is ``match``'s (none without one).

    :func:`yzmaturity.cohort_report` resolves the catalog and matches the
    cohort; this builds the page from what it is given.
    """
    check_lang(lang)
    t = labels("report", lang)
    q = scores.questionnaire
    cat = None if match is None else match.catalog
    if synthetic is None:
        synthetic = is_synthetic(scores, profile)
    valid = np.asarray(scores.valid, dtype=bool)
    n_valid = int(valid.sum())
    overall = scores.overall[valid]
    level_names = [lv.name.of(lang) for lv in q.levels.levels]
    counts = scores.level_counts()
    city = city or t["cohort_city"]
    districts = levels_by(scores, DISTRICT, profile)
    industries = levels_by(scores, INDUSTRY, profile)
    weak = weakest_dimensions(scores, weakest)
    cq = q.compiled()
    tops = sorted(
        (
            (
                cq.dims[d].title.of(lang),
                float(np.nanmean(col)) if (col := scores.dimensions[valid, d]).size else None,
            )
            for d in cq.top_dims
        ),
        key=lambda item: (item[1] is None, item[1] or 0.0),
    )
    tops_known = [(title, mean) for title, mean in tops if mean is not None and mean == mean]
    demand = _demand(match, lang) if match is not None else []
    context: dict[str, Any] = {
        "subtitle": t["cohort_subtitle"].format(questionnaire=q.title.of(lang)),
        "synthetic": synthetic,
        "header": {
            "rows": [
                (t["cohort_rows"], str(len(scores))),
                (t["cohort_valid"], str(n_valid)),
                (t["cohort_invalid"], str(len(scores) - n_valid)),
                (t["cohort_mean_overall"], _num(float(overall.mean()) if overall.size else None)),
                (t["cohort_median_overall"], _num(float(np.median(overall)) if overall.size else None)),
            ]
        },
        "levels": [
            {
                "level": f"L{lv.number}",
                "name": lv.name.of(lang),
                "count": counts.get(lv.number, 0),
                "share": _share(counts.get(lv.number, 0), n_valid),
            }
            for lv in q.levels.levels
        ],
        "districts": _group_section(districts, level_names, lang, t["cohort_by_district"]),
        "industries": _group_section(industries, level_names, lang, t["cohort_by_industry"]),
        "states": labels("state", lang),
        "has_catalog": match is not None,
        "demand": demand,
        "demand_svg": markup(
            bar_chart(
                [row["name"] for row in demand],
                [row["eligible"] + row["needs_checking"] for row in demand],
                fmt="{:.0f}",
                title=t["cohort_demand_chart"],
            )
        )
        if demand
        else "",
        "weak": [
            {
                "title": row["title"].of(lang),
                "parent": "" if row["parent"] is None else row["parent"].of(lang),
                "n": row["n"],
                "mean": _num(row["mean"]),
                "q1": _num(row["q1"]),
                "median": _num(row["median"]),
                "q3": _num(row["q3"]),
            }
            for row in weak
        ],
        "tops_svg": markup(
            bar_chart(
                [title for title, _ in tops_known],
                [mean for _, mean in tops_known],
                max_value=100.0,
                title=t["cohort_top_means"],
            )
        ),
        "metadata": [
            (t["questionnaire"], f"{q.id} · {q.title.of(lang)}"),
            (t["questionnaire_version"], q.version),
            *([(t["catalog"], f"{cat.id} v{cat.version} · {cat.title.of(lang)}")] if cat is not None else []),
            (t["generator"], f"yzmaturity {__version__}"),
            (t["generated"], dt.date.today().isoformat()),
        ],
        "warnings": [t["cohort_synthetic_note"]] if synthetic else [],
    }
    title = t["cohort_title"].format(city=city)
    return Report("cohort", lang, title, context)

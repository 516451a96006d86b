"""Cohort benchmarks: each enterprise among its peers, a cohort's summary, one enterprise's position.

**Percentile.** The percentile of a score *x* in a peer group of *n* scores is

    100 × (#{peers < x} + ½ · #{peers = x}) / n

(the share of peers with a strictly lower score plus half of the ties, in %;
scipy's ``percentileofscore(..., kind="mean")``).  An enterprise of the
cohort is one of its own peers (it is one of the ties).  Peers are the
*valid* rows of the cohort with a defined score (NaN scores are left out,
per column).  A group is the set of rows sharing the values of the ``by``
profile fields; a group with fewer than ``min_group`` valid rows falls back
to the coarser group without the last key, and so on down to the whole
cohort; the result says which group was used.  Rows whose key is unknown
fall back the same way.

Vectorised: one sort per column and per grouping level, then binary
searches (``searchsorted``), never a loop over enterprises.
"""

from __future__ import annotations

from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ._codes import Code
from ._exceptions import AnswerValidationError, ComparisonError, ErrorDetail
from ._optional import require
from ._profile import PROFILE_KINDS
from ._reference import SECTION_OF_DIVISION, SIZE_CLASS_NAMES, YANGZHOU_AREAS_EN
from ._text import Text

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    from ._assessment import Assessment
    from ._matching import CohortMatch
    from ._scoring import BatchScores

__all__ = [
    "DIVISION_NAMES",
    "OVERALL",
    "PeerPercentiles",
    "Position",
    "cohort_summary",
    "division_code",
    "encode_key",
    "group_label",
    "key_label",
    "lower_first",
    "peer_percentiles",
    "position",
    "profile_column",
]

OVERALL = "overall"
DEFAULT_PEER_KEYS: tuple[str, ...] = ("industry_division", "size_class")

# GB/T 4754-2017 division names (manufacturing, and the IT services of solution providers).
DIVISION_NAMES: dict[int, tuple[str, str]] = {
    13: ("农副食品加工业", "agri-food processing"),
    14: ("食品制造业", "food"),
    15: ("酒、饮料和精制茶制造业", "beverages"),
    16: ("烟草制品业", "tobacco"),
    17: ("纺织业", "textiles"),
    18: ("纺织服装、服饰业", "garments"),
    19: ("皮革、毛皮、羽毛及其制品和制鞋业", "leather and footwear"),
    20: ("木材加工和木、竹、藤、棕、草制品业", "wood products"),
    21: ("家具制造业", "furniture"),
    22: ("造纸和纸制品业", "paper"),
    23: ("印刷和记录媒介复制业", "printing"),
    24: ("文教、工美、体育和娱乐用品制造业", "educational, craft and sports goods"),
    25: ("石油、煤炭及其他燃料加工业", "petroleum and coal processing"),
    26: ("化学原料和化学制品制造业", "chemicals"),
    27: ("医药制造业", "pharmaceuticals"),
    28: ("化学纤维制造业", "chemical fibres"),
    29: ("橡胶和塑料制品业", "rubber and plastics"),
    30: ("非金属矿物制品业", "non-metallic mineral products"),
    31: ("黑色金属冶炼和压延加工业", "ferrous metals"),
    32: ("有色金属冶炼和压延加工业", "non-ferrous metals"),
    33: ("金属制品业", "metal products"),
    34: ("通用设备制造业", "general machinery"),
    35: ("专用设备制造业", "special machinery"),
    36: ("汽车制造业", "automotive"),
    37: ("铁路、船舶、航空航天和其他运输设备制造业", "ships, rail and aerospace"),
    38: ("电气机械和器材制造业", "electrical equipment"),
    39: ("计算机、通信和其他电子设备制造业", "electronics"),
    40: ("仪器仪表制造业", "instruments"),
    41: ("其他制造业", "other manufacturing"),
    42: ("废弃资源综合利用业", "recycling"),
    43: ("金属制品、机械和设备修理业", "machinery repair"),
    63: ("电信、广播电视和卫星传输服务", "telecommunications"),
    64: ("互联网和相关服务", "internet services"),
    65: ("软件和信息技术服务业", "software and IT services"),
}
_REGION_EN = {zh: en.capitalize() for en, zh in YANGZHOU_AREAS_EN.items()}


def division_code(division: int) -> str:
    """The GB/T 4754 section letter and division: 36 -> 'C36'."""
    section = next((s for s, lo, hi in SECTION_OF_DIVISION if lo <= division <= hi), "")
    return f"{section}{division:02d}"


def key_label(field_name: str, value: str, lang: str) -> str:
    """A group key's value for people: 'C36', '中型' / 'medium', '江都区' / 'Jiangdu'."""
    if field_name == "size_class" and value in SIZE_CLASS_NAMES:
        zh, en = SIZE_CLASS_NAMES[value]
        return zh if lang == "zh" else en
    if field_name == "region" and lang == "en":
        return _REGION_EN.get(value, value)
    if field_name == "industry_division":
        return value
    if value in ("True", "False"):
        yes = value == "True"
        return (
            f"{field_name}={'是' if yes else '否'}"
            if lang == "zh"
            else f"{field_name}={'yes' if yes else 'no'}"
        )
    return value


# --------------------------------------------------------------------------- keys and groups
def profile_column(scores: BatchScores, name: str, profile: Mapping[str, Any] | None) -> np.ndarray:
    """(N,) a profile field's values: from ``profile`` where given there, else from the scores' own."""
    if not isinstance(name, str):
        raise _bad_argument(
            "by", Code.WRONG_TYPE, "a group is named by a profile field", "a field name", name
        )
    if profile is not None and name in profile:
        values = np.asarray(profile[name])
        if values.shape[:1] != (len(scores),):
            expected = f"{len(scores)} values, one per row"
            raise _bad_argument(
                "profile", Code.WRONG_TYPE, f"profile column {name!r}", expected, values.shape
            )
        return values
    if scores.matrix is None or name not in PROFILE_KINDS:
        why = "these scores carry no profile" if scores.matrix is None else "no such profile field"
        expected = f"a profile field ({', '.join(sorted(PROFILE_KINDS))}) or a column given in `profile`"
        raise _bad_argument("by", Code.UNKNOWN_FIELD, f"{name!r}: {why}", expected, name)
    return scores.matrix.profile.get(name)


def _bad_argument(argument: str, code: str, message: str, expected: str, got: Any) -> AnswerValidationError:
    """An argument of a cohort function that cannot be used, as a detailed error naming it."""
    return AnswerValidationError(
        f"{argument}: {message}", [ErrorDetail(code, (argument,), message, expected, got)]
    )


def _canonical(name: str, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float | np.floating):
        if np.isnan(value):
            return None
        if name == "industry_division":
            return division_code(int(value))
        return str(int(value)) if float(value).is_integer() else str(float(value))
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return division_code(int(value)) if name == "industry_division" else str(int(value))
    if isinstance(value, set | frozenset | list | tuple):
        return ";".join(sorted(str(v) for v in value))
    text = str(value)
    return text or None


def encode_key(name: str, values: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Integer codes (-1 = unknown) and their labels for one key column."""
    n = values.shape[0]
    codes = np.full(n, -1, dtype=np.int64)
    if values.dtype.kind in "fiub":
        numbers = values.astype(np.float64)
        known = ~np.isnan(numbers)
        uniq, inv = np.unique(numbers[known], return_inverse=True)
        codes[known] = inv
        if values.dtype.kind == "b":
            return codes, [str(bool(u)) for u in uniq]
        return codes, [_canonical(name, float(u)) or "" for u in uniq]
    index: dict[str, int] = {}
    labels: list[str] = []
    seen: dict[Any, int] = {}  # raw value -> code: _canonical once per distinct value

    def code_of(v: Any) -> int:
        key = _canonical(name, v)
        if key is None:
            return -1
        if key not in index:
            index[key] = len(labels)
            labels.append(key)
        return index[key]

    out = []
    for v in values.tolist():
        try:
            code = seen[v]
        except KeyError:
            code = seen[v] = code_of(v)
        except TypeError:  # unhashable (a list of roles)
            code = code_of(v)
        out.append(code)
    codes = np.array(out, dtype=np.int64) if out else codes
    return codes, labels


@dataclass
class _Grouping:
    """Group ids of every row at each level (level L uses the first L keys; level 0 = everyone)."""

    by: tuple[str, ...]
    key_codes: list[np.ndarray]
    key_labels: list[list[str]]
    group: list[np.ndarray]  # per level: (N,) group id, -1 where a key is unknown

    @classmethod
    def build(cls, scores: BatchScores, by: Sequence[str], profile: Mapping[str, Any] | None) -> _Grouping:
        by = (by,) if isinstance(by, str) else tuple(by)  # one field named alone
        n = len(scores)
        codes, labels = [], []
        for name in by:
            c, lab = encode_key(name, profile_column(scores, name, profile))
            codes.append(c)
            labels.append(lab)
        groups = [np.zeros(n, dtype=np.int64)]
        current = np.zeros(n, dtype=np.int64)
        for c, lab in zip(codes, labels, strict=True):
            combined = np.where((current < 0) | (c < 0), -1, current * (len(lab) + 1) + c)
            known = combined >= 0
            out = np.full(n, -1, dtype=np.int64)
            if known.any():
                _, out[known] = np.unique(combined[known], return_inverse=True)
            groups.append(out)
            current = out
        return cls(by, codes, labels, groups)

    def values(self, row: int, level: int) -> tuple[str, ...]:
        return tuple(self.key_labels[k][int(self.key_codes[k][row])] for k in range(level))


def _group_sizes(group: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """(N,) number of reference rows in each row's group (0 where the group is unknown)."""
    known = group >= 0
    counts = np.bincount(group[known & ref], minlength=int(group.max(initial=-1)) + 1)
    out = np.zeros(group.shape[0], dtype=np.int64)
    out[known] = counts[group[known]]
    return out


def _percentile_in_groups(
    ref_values: np.ndarray,
    ref_groups: np.ndarray,
    query_values: np.ndarray,
    query_groups: np.ndarray,
) -> np.ndarray:
    """Percentile ("mean" kind) of each query value among the reference values of its group.

    Values are compared exactly: all values are ranked on one sorted axis, and
    (group, rank) pairs become one integer key, sorted once and searched.
    NaN reference values are left out; NaN queries give NaN; so does an empty group.
    """
    out = np.full(query_values.shape[0], np.nan)
    keep = ~np.isnan(ref_values) & (ref_groups >= 0)
    ref_values, ref_groups = ref_values[keep], ref_groups[keep]
    ask = ~np.isnan(query_values) & (query_groups >= 0)
    if not ask.any() or ref_values.size == 0:
        return out
    uniq = np.unique(ref_values)
    width = np.int64(uniq.size + 1)
    keys = np.sort(ref_groups * width + np.searchsorted(uniq, ref_values))
    x, g = query_values[ask], query_groups[ask] * width
    start = np.searchsorted(keys, g, side="left")
    size = np.searchsorted(keys, g + width, side="left") - start
    less = np.searchsorted(keys, g + np.searchsorted(uniq, x, side="left"), side="left") - start
    at_most = np.searchsorted(keys, g + np.searchsorted(uniq, x, side="right"), side="left") - start
    with np.errstate(invalid="ignore", divide="ignore"):
        out[ask] = np.where(size > 0, 50.0 * (less + at_most) / np.maximum(size, 1), np.nan)
    return out


def _by_value(values: np.ndarray) -> np.ndarray:
    """Row numbers with a defined value, sorted by value (stable)."""
    rows = np.flatnonzero(~np.isnan(values))
    return rows[np.argsort(values[rows], kind="stable")]


def _self_percentiles(
    values: np.ndarray, groups: np.ndarray, by_value: np.ndarray | None = None
) -> np.ndarray:
    """Percentile ("mean" kind) of each row among the rows of its group, the row included.

    Rows with a NaN value or group -1 are left out (and get NaN).  Rows sorted
    by value (``by_value``, shared by every grouping of a column) are sorted
    again, stably, by group (a radix sort for small ids): the order is then
    by (group, value), and ties and group sizes are runs in that order.
    """
    out = np.full(values.shape[0], np.nan)
    if by_value is None:
        by_value = _by_value(values)
    g = groups[by_value]
    keep = g >= 0
    rows, g = by_value[keep], g[keep]
    if rows.size == 0:
        return out
    small = g.astype(np.uint16) if int(g.max()) < 65536 else g
    order = np.argsort(small, kind="stable")
    rows, gs = rows[order], g[order]
    vs = values[rows]
    m = rows.shape[0]
    new_group = np.empty(m, dtype=bool)
    new_group[0] = True
    new_group[1:] = gs[1:] != gs[:-1]
    new_run = new_group.copy()
    new_run[1:] |= vs[1:] != vs[:-1]
    run_start = np.flatnonzero(new_run)
    group_start = np.flatnonzero(new_group)
    run_id = np.cumsum(new_run) - 1
    group_id = np.cumsum(new_group) - 1
    run_len = np.diff(np.append(run_start, m))
    group_len = np.diff(np.append(group_start, m))
    less = run_start[run_id] - group_start[group_id]
    out[rows] = 100.0 * (less + 0.5 * run_len[run_id]) / group_len[group_id]
    return out


def _columns(scores: BatchScores, dimensions: Sequence[str] | None) -> tuple[list[str], np.ndarray]:
    ids = scores.dimension_ids if dimensions is None else list(dimensions)
    cols = []
    for d in ids:
        cols.append(scores.overall if d == OVERALL else scores.dimension(d))
    if dimensions is None:
        ids = [*ids, OVERALL]
        cols.append(scores.overall)
    return ids, np.column_stack(cols) if cols else np.empty((len(scores), 0))


# --------------------------------------------------------------------------- peer percentiles
@dataclass
class PeerPercentiles:
    """Each row's percentile within its peer group, per dimension and overall.

    ``percentiles`` (N, C) in % for ``columns`` (dimension ids, then
    ``"overall"``); ``keys_used`` (N,) how many of the ``by`` keys define the
    row's group (``len(by)`` = the full group, 0 = the whole cohort after
    fall-backs); ``group`` (N,) the tuple of key values used;
    ``group_size`` (N,) the number of valid rows in that group.  Invalid rows
    have NaN percentiles.  ``titles`` names the columns (the dimensions'
    titles).  In a notebook it shows its groups and a summary per column.
    """

    columns: list[str]
    percentiles: np.ndarray
    by: tuple[str, ...]
    keys_used: np.ndarray
    group: np.ndarray
    group_size: np.ndarray
    min_group: int
    valid: np.ndarray = field(repr=False)
    titles: dict[str, Text] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return int(self.percentiles.shape[0])

    def __getitem__(self, column: str) -> np.ndarray:
        """The (N,) percentiles of one column (a dimension id or ``"overall"``)."""
        return np.asarray(self.percentiles[:, self.columns.index(column)])

    @property
    def fell_back(self) -> np.ndarray:
        """(N,) True where a coarser group than the full ``by`` was used."""
        return np.asarray(self.keys_used < len(self.by))

    def group_label(self, row: int, lang: str = "zh") -> str:
        """The group of one row for people: 'C36，中型' / 'C36, medium' / '全部企业' / 'whole cohort'."""
        return group_label(self.by[: int(self.keys_used[row])], self.group[row], lang)

    def to_frame(self) -> pd.DataFrame:
        """A pandas frame: one column per percentile, plus the group used and its size."""
        pd = _pandas("PeerPercentiles.to_frame")
        frame = pd.DataFrame(self.percentiles, columns=[f"pct_{c}" for c in self.columns])
        frame["peer_group"] = [" / ".join(g) if g else "*" for g in self.group.tolist()]
        frame["peer_keys"] = [",".join(self.by[:k]) for k in self.keys_used.tolist()]
        frame["peer_group_size"] = self.group_size
        return frame

    def _repr_mimebundle_(
        self, include: Container[str] | None = None, exclude: Container[str] | None = None
    ) -> dict[str, str]:
        """Rich display in Jupyter: the groups (rows, peers, fall-backs) and each column's percentiles."""
        from ._render.display import mimebundle, percentiles_html

        return mimebundle(self, percentiles_html, include, exclude)

    def __repr__(self) -> str:
        fb = int((self.fell_back & self.valid).sum())
        return (
            f"<PeerPercentiles by {self.by}: {len(self)} rows x {len(self.columns)} columns, "
            f"{fb} valid rows in a coarser group (min_group={self.min_group})>"
        )


def peer_percentiles(
    scores: BatchScores,
    profile: Mapping[str, Any] | None = None,
    by: Sequence[str] = DEFAULT_PEER_KEYS,
    min_group: int = 10,
    dimensions: Sequence[str] | None = None,
) -> PeerPercentiles:
    """Percentile of every enterprise within its peer group, per dimension and overall.

    Parameters
    ----------
    scores
        The cohort's :class:`~yzmaturity.BatchScores`.
    profile
        Profile columns (field -> array); fields not given are read from the
        scores' own profile (what the sheets or ``score_batch(profile=...)``
        gave).  Any column may serve as a key, e.g. a custom ``"park"``.
    by
        The peer keys, finest last: ``("industry_division", "size_class")``
        (default), ``("region",)``, ``("industry_division",)`` ...
    min_group
        A group with fewer valid rows falls back to the group without its
        last key (down to the whole cohort).
    dimensions
        Dimension ids (``"overall"`` allowed) to rank; default every
        dimension and the overall.

    The percentile definition is in the module doc (scipy's ``kind="mean"``).
    """
    if min_group < 1:
        raise _bad_argument(
            "min_group", Code.OUT_OF_RANGE, "a peer group's least size", "at least 1", min_group
        )
    columns, values = _columns(scores, dimensions)
    grouping = _Grouping.build(scores, by, profile)
    n = len(scores)
    valid = np.asarray(scores.valid, dtype=bool)
    keys_used = np.zeros(n, dtype=np.int64)
    assigned = np.zeros(n, dtype=bool)
    for level in range(len(grouping.by), 0, -1):
        group = grouping.group[level]
        ok = (group >= 0) & (_group_sizes(group, valid) >= min_group) & ~assigned
        keys_used[ok] = level
        assigned |= ok
    out = np.full(values.shape, np.nan)
    sizes = np.zeros(n, dtype=np.int64)
    by_value = [_by_value(np.where(valid, values[:, c], np.nan)) for c in range(values.shape[1])]
    for level in range(len(grouping.by) + 1):
        rows = keys_used == level
        if not rows.any():
            continue
        group = grouping.group[level]
        sizes[rows] = _group_sizes(group, valid)[rows]
        # Peers: valid rows of the groups that some row of this level belongs to.
        wanted = np.zeros(int(group.max(initial=0)) + 1, dtype=bool)
        wanted[group[rows & (group >= 0)]] = True
        ref_groups = np.where(valid & (group >= 0) & wanted[np.maximum(group, 0)], group, -1)
        for c in range(values.shape[1]):
            out[rows, c] = _self_percentiles(values[:, c], ref_groups, by_value[c])[rows]
    groups = np.empty(n, dtype=object)
    for level in range(len(grouping.by) + 1):
        rows = np.flatnonzero(keys_used == level)
        if rows.size == 0:
            continue
        # One label tuple per distinct group, not per row.
        _, first, inverse = np.unique(grouping.group[level][rows], return_index=True, return_inverse=True)
        labels = np.empty(first.shape[0], dtype=object)
        for j, f in enumerate(first.tolist()):
            labels[j] = grouping.values(int(rows[f]), level)
        groups[rows] = labels[inverse]
    return PeerPercentiles(
        columns=columns,
        percentiles=out,
        by=grouping.by,
        keys_used=keys_used,
        group=groups,
        group_size=sizes,
        min_group=min_group,
        valid=valid,
        titles=_titles(scores, columns),
    )


def _titles(scores: BatchScores, columns: Sequence[str]) -> dict[str, Text]:
    cq = scores.questionnaire.compiled()
    return {c: Text(zh="总分", en="Overall") if c == OVERALL else cq.dimension(c).title for c in columns}


def group_label(fields: Sequence[str], values: Sequence[str], lang: str) -> str:
    """A group (its key fields and values) for people: 'C36，中型' / 'C36, medium' / 'the whole cohort'."""
    if not fields:
        return "全部参评企业" if lang == "zh" else "the whole cohort"
    sep = "，" if lang == "zh" else ", "
    return sep.join(key_label(f, v, lang) for f, v in zip(fields, values, strict=True))


# --------------------------------------------------------------------------- summary
def _stats(values: np.ndarray) -> dict[str, float | int | None]:
    v = values[~np.isnan(values)]
    if v.size == 0:
        return {"n": 0, "mean": None, "q1": None, "median": None, "q3": None, "min": None, "max": None}
    q1, med, q3 = np.percentile(v, [25, 50, 75])
    return {
        "n": int(v.size),
        "mean": round(float(v.mean()), 2),
        "q1": round(float(q1), 2),
        "median": round(float(med), 2),
        "q3": round(float(q3), 2),
        "min": round(float(v.min()), 2),
        "max": round(float(v.max()), 2),
    }


def cohort_summary(scores: BatchScores, match: CohortMatch | None = None) -> dict[str, Any]:
    """A cohort at a glance (plain, JSON-ready data).

    ``n``, ``valid``, ``invalid``; ``levels``: count and share of valid rows
    per level (with names); ``overall`` and ``dimensions``: mean, quartiles
    (``q1``, ``median``, ``q3``), min and max over valid rows; with a
    :class:`~yzmaturity.CohortMatch`, ``categories``: its
    :meth:`~yzmaturity.CohortMatch.counts` (rows per eligibility state, how
    many fit at least 0.5 and how many rank the category first).
    """
    valid = np.asarray(scores.valid, dtype=bool)
    n_valid = int(valid.sum())
    q = scores.questionnaire
    levels = {}
    for number, count in scores.level_counts().items():
        lv = q.levels.levels[number]
        levels[lv.id] = {
            "number": number,
            "name": lv.name.model_dump(exclude_none=True),
            "count": count,
            "share": round(count / n_valid, 4) if n_valid else None,
        }
    out: dict[str, Any] = {
        "questionnaire": {"id": q.id, "version": q.version},
        "n": len(scores),
        "valid": n_valid,
        "invalid": len(scores) - n_valid,
        "levels": levels,
        "overall": _stats(scores.overall[valid]),
        "dimensions": {d: _stats(scores.dimension(d)[valid]) for d in scores.dimension_ids},
    }
    if match is not None:
        out["categories"] = match.counts()
    return out


# --------------------------------------------------------------------------- one enterprise
@dataclass(frozen=True)
class Position:
    """Where one enterprise stands among its peers of a cohort.

    ``percentiles`` and ``scores`` per column (top-level dimension ids and
    ``"overall"``; NaN where undefined); ``group_fields`` / ``group`` the peer
    keys used and their values (empty = the whole cohort, after fall-backs);
    ``group_size`` the number of peers.  :meth:`sentence` says it in words.
    """

    name: str | None
    row: int | None
    by: tuple[str, ...]
    group_fields: tuple[str, ...]
    group: tuple[str, ...]
    group_size: int
    percentiles: dict[str, float]
    scores: dict[str, float]
    titles: dict[str, Text]

    @property
    def fell_back(self) -> bool:
        return len(self.group_fields) < len(self.by)

    def group_label(self, lang: str = "zh") -> str:
        return group_label(self.group_fields, self.group, lang)

    def sentence(self, column: str = OVERALL, lang: str = "zh") -> str:
        """'数据维度优于63%的同行（C36，中型）' / 'better than 63 % of automotive peers (C36, medium) in data'."""
        pct = self.percentiles[column]
        title = self.titles[column]
        label = self.group_label(lang)
        whole = not self.group_fields
        division = self._division()
        if lang == "zh":
            subject = "总分" if column == OVERALL else f"{title.of('zh')}维度"
            if np.isnan(pct):
                return f"{subject}无法与同行比较（无得分）"
            noun = "的参评企业" if whole else ("的同行" if division is not None else "的企业")
            group = "" if whole else f"（{label}）"
            return f"{subject}优于{pct:.0f}%{noun}{group}"
        where = "overall" if column == OVERALL else f"in {lower_first(title.of('en'))}"
        if np.isnan(pct):
            return f"no comparison {where} (no score)"
        if whole:
            return f"better than {pct:.0f} % of {label} {where}"
        noun = (
            "peers"
            if division is None
            else f"{DIVISION_NAMES.get(division, ('', ''))[1] or 'industry'} peers"
        )
        return f"better than {pct:.0f} % of {noun} ({label}) {where}"

    def sentences(self, lang: str = "zh") -> list[str]:
        return [self.sentence(c, lang) for c in self.percentiles]

    def _division(self) -> int | None:
        if "industry_division" not in self.group_fields:
            return None
        code = self.group[self.group_fields.index("industry_division")]
        digits = "".join(ch for ch in code if ch.isdigit())
        return int(digits) if digits else None

    def to_dict(self) -> dict[str, Any]:
        def num(v: float) -> float | None:
            return None if np.isnan(v) else round(float(v), 2)

        return {
            "name": self.name,
            "row": self.row,
            "by": list(self.by),
            "group": dict(zip(self.group_fields, self.group, strict=True)),
            "group_size": self.group_size,
            "percentiles": {k: num(v) for k, v in self.percentiles.items()},
            "scores": {k: num(v) for k, v in self.scores.items()},
            "sentences": {"zh": self.sentences("zh"), "en": self.sentences("en")},
        }


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def position(
    assessment_or_row: Assessment | int,
    cohort_scores: BatchScores,
    by: Sequence[str] = DEFAULT_PEER_KEYS,
    min_group: int = 10,
    profile: Mapping[str, Any] | None = None,
    dimensions: Sequence[str] | None = None,
) -> Position:
    """One enterprise's percentile among its cohort peers, per dimension, with sentences.

    ``assessment_or_row`` is an :class:`~yzmaturity.Assessment` (compared
    with the cohort's rows; its keys come from its enterprise profile) or a
    row number of ``cohort_scores`` (the same numbers as
    :func:`peer_percentiles` for that row).  ``dimensions`` default to the
    top-level ones and ``"overall"``.  Groups fall back as in
    :func:`peer_percentiles`.
    """
    q = cohort_scores.questionnaire
    cq = q.compiled()
    ids = [cq.dim_ids[d] for d in cq.top_dims] + [OVERALL] if dimensions is None else list(dimensions)
    columns, values = _columns(cohort_scores, ids)
    grouping = _Grouping.build(cohort_scores, by, profile)
    valid = np.asarray(cohort_scores.valid, dtype=bool)
    row: int | None
    if isinstance(assessment_or_row, int | np.integer):
        row = int(assessment_or_row)
        if not 0 <= row < len(cohort_scores):
            raise IndexError(f"row {row} is outside the cohort of {len(cohort_scores)}")
        own = values[row]
        keys = [
            grouping.key_labels[k][int(code)] if (code := grouping.key_codes[k][row]) >= 0 else None
            for k in range(len(grouping.by))
        ]
        name = None if cohort_scores.row_ids is None else cohort_scores.row_ids[row]
        name = name or _name_of(cohort_scores, row, profile)
    else:
        a = assessment_or_row
        if a.questionnaire_id != q.id:
            message = f"the assessment is on {a.questionnaire_id!r}, the cohort on {q.id!r}"
            detail = ErrorDetail(
                Code.QUESTIONNAIRE_MISMATCH, ("assessment_or_row",), message, q.id, a.questionnaire_id
            )
            raise ComparisonError(message, [detail])
        row = None
        own = np.array(
            [a.overall if c == OVERALL else _nan(a.dimensions[c].score) for c in columns], dtype=np.float64
        )
        keys = [_canonical(k, _enterprise_value(a, k)) for k in grouping.by]
        name = a.enterprise.name
    # The finest level whose group (the valid rows sharing the keys) is large enough.
    masks = [valid]
    for k, key in enumerate(keys):
        labels = grouping.key_labels[k]
        same = grouping.key_codes[k] == labels.index(key) if key in labels else np.zeros_like(valid)
        masks.append(masks[-1] & same)
    level = 0
    for lv in range(len(keys), 0, -1):
        if all(x is not None for x in keys[:lv]) and int(masks[lv].sum()) >= min_group:
            level = lv
            break
    peers = masks[level]
    percentiles: dict[str, float] = {}
    for c, col in enumerate(columns):
        ref = values[peers, c]
        pct = _percentile_in_groups(
            ref, np.zeros(ref.shape[0], dtype=np.int64), own[c : c + 1], np.zeros(1, np.int64)
        )
        percentiles[col] = float(pct[0])
    titles = {c: (Text(zh="总分", en="Overall") if c == OVERALL else cq.dimension(c).title) for c in columns}
    return Position(
        name=name,
        row=row,
        by=tuple(grouping.by),
        group_fields=tuple(grouping.by[:level]),
        group=tuple(str(k) for k in keys[:level]),
        group_size=int(peers.sum()),
        percentiles=percentiles,
        scores={c: float(own[i]) for i, c in enumerate(columns)},
        titles=titles,
    )


def _nan(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def _enterprise_value(a: Assessment, name: str) -> Any:
    try:
        return a.enterprise.profile_value(name)
    except AttributeError:
        return None


def _name_of(scores: BatchScores, row: int, profile: Mapping[str, Any] | None) -> str | None:
    try:
        value = profile_column(scores, "name", profile)[row]
    except ValueError:
        return None
    return None if value is None else str(value)


def _pandas(feature: str) -> Any:
    return require("pandas", feature, "frames")

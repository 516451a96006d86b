"""What both form exports share: the profile page's fields, names, checks and atomic writes."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .._codes import Code
from .._conditions import Compare, walk
from .._exceptions import ErrorDetail, FileLoadError, QuestionnaireError
from .._fs import write_bytes
from .._profile import ROLE_VALUES
from .._reference import CREDIT_CODE_ALPHABET, SECTION_OF_DIVISION, YANGZHOU_AREAS
from .._text import Text
from .expressions import NA_SUFFIX, PROFILE_PREFIX

if TYPE_CHECKING:
    from .._model import Dimension, Question, Questionnaire

__all__ = [
    "CREDIT_CODE_MESSAGE",
    "CREDIT_CODE_REGEX",
    "INDUSTRY_MESSAGE",
    "INDUSTRY_REGEX",
    "NA_LABEL",
    "NO",
    "PROFILE_FIELDS",
    "PROFILE_PAGE",
    "REGION_SUGGESTIONS",
    "YES",
    "ProfileField",
    "certification_choices",
    "form_names",
    "leaf_groups",
    "role_choices",
    "write_atomic",
]


@dataclass(frozen=True)
class ProfileField:
    """One input of the enterprise-profile page."""

    field: str
    kind: str  # text, integer, decimal, roles, certifications, bool
    label: Text
    required: bool = False
    hint: Text | None = None
    minimum: float | None = None
    maximum: float | None = None

    @property
    def name(self) -> str:
        return PROFILE_PREFIX + self.field


def _t(zh: str, en: str) -> Text:
    return Text(zh=zh, en=en)


_ALNUM = "[" + CREDIT_CODE_ALPHABET.replace("0123456789", "0-9") + "]"
CREDIT_CODE_REGEX = f"^{_ALNUM}{{18}}$"
INDUSTRY_REGEX = (
    "^("
    + "|".join(
        f"{section}({'|'.join(f'{d:02d}' for d in range(lo, hi + 1))})"
        for section, lo, hi in SECTION_OF_DIVISION
    )
    + ")([0-9]{1,2})?$"
)
ROLE_LABELS = {
    "manufacturer": _t("制造企业", "Manufacturer"),
    "equipment_maker": _t("智能装备制造商", "Intelligent-equipment maker"),
    "solution_provider": _t("智改数转服务商", "Transformation solution provider"),
}
NA_LABEL = _t("不适用", "Not applicable")
YES, NO = _t("是", "Yes"), _t("否", "No")
PROFILE_PAGE = _t("企业基本信息", "Enterprise profile")
CREDIT_CODE_MESSAGE = _t(
    "统一社会信用代码为18位数字或大写字母（不含I、O、S、V、Z）",
    "A unified social credit code has 18 digits or capitals (no I, O, S, V, Z)",
)
INDUSTRY_MESSAGE = _t(
    "请按GB/T 4754-2017填写门类字母和2-4位代码，如C34、C3670",
    "GB/T 4754-2017 code: section letter and 2-4 digits, e.g. C34 or C3670",
)

PROFILE_FIELDS: tuple[ProfileField, ...] = (
    ProfileField("name", "text", _t("企业名称", "Enterprise name"), required=True),
    ProfileField(
        "credit_code",
        "text",
        _t("统一社会信用代码", "Unified social credit code"),
        hint=_t("18位，GB 32100-2015", "18 characters, GB 32100-2015"),
    ),
    ProfileField(
        "region",
        "text",
        _t("所在区县", "District or county"),
        hint=_t("如：江都区", "e.g. 江都区 (Jiangdu)"),
    ),
    ProfileField(
        "industry",
        "text",
        _t("国民经济行业代码", "Industry code (GB/T 4754-2017)"),
        hint=_t("如：C34（通用设备制造业）", "e.g. C34 (general-purpose machinery)"),
    ),
    ProfileField("employees", "integer", _t("从业人员数", "Employees"), minimum=0, maximum=10_000_000),
    ProfileField("revenue_yuan", "decimal", _t("年营业收入（元）", "Annual revenue (yuan)"), minimum=0),
    ProfileField(
        "roles", "roles", _t("企业类型", "Role in the programme"), hint=_t("可多选", "Select all that apply")
    ),
    ProfileField("rnd", "bool", _t("是否有自主研发", "Does the enterprise do its own R&D?")),
    ProfileField(
        "diagnosed",
        "bool",
        _t("是否已开展智改数转诊断", "Has it had a transformation diagnosis?"),
        required=True,
    ),
    ProfileField(
        "planned_investment_yuan", "decimal", _t("计划投资额（元）", "Planned investment (yuan)"), minimum=0
    ),
    ProfileField("years_operating", "integer", _t("经营年限", "Years in operation"), minimum=0, maximum=500),
    ProfileField("certifications", "certifications", _t("已获认证", "Certifications held")),
)
REGION_SUGGESTIONS = YANGZHOU_AREAS


def certification_choices(q: Questionnaire) -> list[str]:
    """Certification values the questionnaire's conditions read (the form offers exactly these)."""
    found: set[str] = set()
    for qq in q.questions:
        if qq.relevant is None:
            continue
        for leaf in walk(qq.relevant):
            if isinstance(leaf, Compare) and leaf.subject == ("profile", "certifications"):
                for _op, value in leaf.operators():
                    found.update(str(v) for v in (value if isinstance(value, list) else [value]))
    return sorted(found)


def form_names(q: Questionnaire) -> list[str]:
    """Every field name a form uses; raise if a question id clashes with a generated name."""
    names = [f.name for f in PROFILE_FIELDS]
    for qq in q.questions:
        names.append(qq.id)
        if qq.allow_na:
            names.append(qq.id + NA_SUFFIX)
    seen: set[str] = set()
    clashes = []
    for name in names:
        if name in seen:
            clashes.append(name)
        seen.add(name)
    if clashes:
        raise QuestionnaireError(
            "question ids clash with the names the form generates",
            [
                ErrorDetail(
                    Code.FORM_NAME_CLASH,
                    ("question", name),
                    f"{name!r} is also a generated field name",
                    expected=f"no id starting with {PROFILE_PREFIX!r} or ending in {NA_SUFFIX!r}",
                    got=name,
                )
                for name in clashes
            ],
        )
    return names


def role_choices() -> list[tuple[str, Text]]:
    return [(r, ROLE_LABELS[r]) for r in ROLE_VALUES]


def write_atomic(
    path: str | os.PathLike[str], data: bytes, inputs: Iterable[str | os.PathLike[str]] = ()
) -> None:
    """Write ``data`` to ``path`` atomically (``_fs.write_bytes``); never over an input."""
    target = Path(path)
    for source in inputs:
        try:
            if target.exists() and target.samefile(source):
                raise FileLoadError(
                    os.fspath(target), Code.WOULD_OVERWRITE_INPUT, "refusing to write over an input file"
                )
        except FileNotFoundError:
            continue
    write_bytes(target, data)


def leaf_groups(q: Questionnaire) -> list[tuple[Dimension, list[tuple[Dimension, list[Question]]]]]:
    """Each top-level dimension with its leaf dimensions (that have questions), in order."""
    return [
        (top, [(d, list(d.questions)) for d in top.walk() if d.is_leaf and d.questions])
        for top in q.dimensions
    ]

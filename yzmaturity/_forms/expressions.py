"""Our condition trees as form-tool expressions: SurveyJS ``visibleIf`` and XLSForm ``relevant``.

Both tools see the questions and a profile page, never scores; so every
comparison is rewritten over *answers*:

* a question compares its answer (option id, selected ids, true/false, number);
* ``question_score`` becomes the set of answers (or numeric intervals) whose
  score passes, read from the questionnaire at export;
* ``count`` becomes a sum of ``iif``/``if`` indicators;
* derived profile fields (``size_class``, ``above_designated_size``,
  ``industry_division``, ``is_manufacturing``, ``is_equipment_maker``) become
  expressions over the profile inputs (employees, revenue, industry code).

Our rule "a comparison on a missing value is false" is kept explicitly: ``ne``
and ``not_in`` are guarded by "answered" (both tools call an empty value
*unequal* to anything).  What cannot be written in a tool's expression language
raises :class:`~yzmaturity.QuestionnaireError` naming the question (see
docs/forms.md, "Limits"); nothing is silently approximated.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .._codes import Code
from .._conditions import All, AnyOf, Compare, Condition, Count, CountSpec, Not
from .._exceptions import ErrorDetail, QuestionnaireError
from .._profile import DIVISION_FLAGS, PROFILE_INPUT_KINDS
from .._reference import ABOVE_DESIGNATED_SIZE_REVENUE, SECTION_OF_DIVISION, SIZE_CLASSES_INDUSTRY

if TYPE_CHECKING:
    from .._model import Question, Questionnaire

__all__ = [
    "BOOL",
    "CHOICE",
    "MULTI",
    "NA_CHOICE",
    "NA_SUFFIX",
    "NUMBER",
    "PROFILE_INPUTS",
    "PROFILE_PREFIX",
    "SURVEYJS",
    "XPATH",
    "Dialect",
    "SurveyJSDialect",
    "Translator",
    "XPathDialect",
    "profile_name",
]

NA_SUFFIX = "__na"
PROFILE_PREFIX = "enterprise_"
NA_CHOICE = "na"

# How a form stores a value: one text id, several ids, a boolean, a number.
CHOICE, MULTI, BOOL, NUMBER = "choice", "multi", "bool", "number"
QUESTION_KIND = {
    "single_choice": CHOICE,
    "multiple_choice": MULTI,
    "yes_no": BOOL,
    "numeric": NUMBER,
    "scale": NUMBER,
    "scene_level": NUMBER,
}
# Profile inputs the forms ask, and how they are stored.
_STORED = {"text": CHOICE, "numeric": NUMBER, "set": MULTI, "bool": BOOL}
PROFILE_INPUTS: dict[str, str] = {field: _STORED[kind] for field, kind in PROFILE_INPUT_KINDS.items()}
ALL_DIVISIONS = tuple(d for _, lo, hi in SECTION_OF_DIVISION for d in range(lo, hi + 1))
SECTION_OF = {d: s for s, lo, hi in SECTION_OF_DIVISION for d in range(lo, hi + 1)}


def profile_name(field: str) -> str:
    return PROFILE_PREFIX + field


class Unsupported(Exception):
    """A condition the dialect cannot express; turned into a QuestionnaireError with its location."""


def _num(value: float) -> str:
    number = float(value)
    if not number == number or number in (float("inf"), float("-inf")):
        raise Unsupported(f"{value!r} is not a finite number")
    return str(int(number)) if number.is_integer() else repr(number)


class Dialect:
    """The atoms of one tool's expression language; subclasses fill them in."""

    name = ""
    ignores_case = False
    true = ""
    false = ""

    def var(self, name: str) -> str:
        raise NotImplementedError

    def text(self, value: str) -> str:
        if any(ch in value for ch in "'\"{}\\$\n\r"):
            raise Unsupported(f"the text {value!r} holds a quote, brace, dollar or backslash")
        return f"'{value}'"

    def not_(self, expr: str) -> str:
        raise NotImplementedError

    def indicator(self, expr: str) -> str:
        raise NotImplementedError

    def empty(self, name: str) -> str:
        raise NotImplementedError

    def notempty(self, name: str) -> str:
        raise NotImplementedError

    def bool_is(self, name: str, value: bool) -> str:
        raise NotImplementedError

    def selected(self, name: str, value: str) -> str:
        raise NotImplementedError

    def na_checked(self, qid: str) -> str:
        raise NotImplementedError

    def division_in(self, divisions: Sequence[int]) -> str:
        raise NotImplementedError

    # ---------------------------------------------------------------- generic
    def and_(self, parts: Sequence[str]) -> str:
        parts = [p for p in parts if p != self.true]
        if self.false in parts:
            return self.false
        if not parts:
            return self.true
        return parts[0] if len(parts) == 1 else "(" + " and ".join(parts) + ")"

    def or_(self, parts: Sequence[str]) -> str:
        parts = [p for p in parts if p != self.false]
        if self.true in parts:
            return self.true
        if not parts:
            return self.false
        return parts[0] if len(parts) == 1 else "(" + " or ".join(parts) + ")"

    def lit(self, kind: str, value: Any) -> str:
        if kind == NUMBER:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise Unsupported(f"a number is compared with {value!r}")
            return _num(value)
        return self.text(str(value))

    def compare(self, name: str, kind: str, op: str, value: Any) -> str:
        """One operator on a stored value; a missing value compares false."""
        v = self.var(name)
        if op in ("in_", "not_in"):
            hit = self.or_([self._is(name, kind, x) for x in value])
            return hit if op == "in_" else self.and_([self.notempty(name), self.not_(hit)])
        if op == "contains" and kind != MULTI:
            op = "eq"
        if op == "eq":
            return self._is(name, kind, value)
        if op == "ne":
            return self.and_([self.notempty(name), self.not_(self._is(name, kind, value))])
        if op == "contains":
            return self.selected(name, str(value))
        symbols = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
        if op in symbols and kind == NUMBER:
            return f"{v} {symbols[op]} {self.lit(NUMBER, value)}"
        raise Unsupported(f"operator {op!r} on a {kind} value")

    def _is(self, name: str, kind: str, value: Any) -> str:
        if kind == BOOL:
            if not isinstance(value, bool):
                raise Unsupported(f"a yes/no value is compared with {value!r}")
            return self.bool_is(name, value)
        if kind == MULTI:
            return self.selected(name, str(value))
        return f"{self.var(name)} = {self.lit(kind, value)}"


class SurveyJSDialect(Dialect):
    """SurveyJS expressions (``{name}``, ``anyof``, ``iif``); text compares ignore case."""

    name = "surveyjs"
    ignores_case = True
    true = "true"
    false = "false"

    def var(self, name: str) -> str:
        return "{" + name + "}"

    def not_(self, expr: str) -> str:
        if expr == self.true:
            return self.false
        if expr == self.false:
            return self.true
        return f"!({expr})"

    def indicator(self, expr: str) -> str:
        return f"iif({expr}, 1, 0)"

    def empty(self, name: str) -> str:
        return f"{self.var(name)} empty"

    def notempty(self, name: str) -> str:
        return f"{self.var(name)} notempty"

    def bool_is(self, name: str, value: bool) -> str:
        return f"{self.var(name)} = {'true' if value else 'false'}"

    def selected(self, name: str, value: str) -> str:
        return f"{self.var(name)} contains {self.text(value)}"

    def na_checked(self, qid: str) -> str:
        return f"{self.var(qid + NA_SUFFIX)} = true"

    def division_in(self, divisions: Sequence[int]) -> str:
        # The form only accepts canonical codes (section letter + digits), so 'C34' can only
        # match at the start: 'contains' is a prefix test here.
        name = profile_name("industry")
        return self.or_([f"{self.var(name)} contains '{SECTION_OF[d]}{d:02d}'" for d in divisions])


class XPathDialect(Dialect):
    """ODK XPath as written in XLSForm (``${name}``, ``selected()``, ``if()``)."""

    name = "xlsform"
    true = "true()"
    false = "false()"

    def var(self, name: str) -> str:
        return "${" + name + "}"

    def not_(self, expr: str) -> str:
        if expr == self.true:
            return self.false
        if expr == self.false:
            return self.true
        return f"not({expr})"

    def indicator(self, expr: str) -> str:
        return f"if({expr}, 1, 0)"

    def empty(self, name: str) -> str:
        return f"{self.var(name)} = ''"

    def notempty(self, name: str) -> str:
        return f"{self.var(name)} != ''"

    def bool_is(self, name: str, value: bool) -> str:
        return f"{self.var(name)} = '{'yes' if value else 'no'}'"

    def selected(self, name: str, value: str) -> str:
        return f"selected({self.var(name)}, {self.text(value)})"

    def na_checked(self, qid: str) -> str:
        return f"selected({self.var(qid + NA_SUFFIX)}, '{NA_CHOICE}')"

    def division_in(self, divisions: Sequence[int]) -> str:
        division = f"int(substr({self.var(profile_name('industry'))}, 1, 3))"
        ranges: list[tuple[int, int]] = []
        for d in sorted(divisions):
            if ranges and ranges[-1][1] == d - 1:
                ranges[-1] = (ranges[-1][0], d)
            else:
                ranges.append((d, d))
        parts = [
            f"{division} = {lo}" if lo == hi else f"({division} >= {lo} and {division} <= {hi})"
            for lo, hi in ranges
        ]
        return self.and_([self.notempty(profile_name("industry")), self.or_(parts)])


SURVEYJS = SurveyJSDialect()
XPATH = XPathDialect()


class Translator:
    """Translate the conditions of one questionnaire into one dialect."""

    def __init__(self, q: Questionnaire, dialect: Dialect) -> None:
        self.q = q
        self.d = dialect
        self.cq = q.compiled()

    # ---------------------------------------------------------------- entry points
    def check(self) -> None:
        """Raise one QuestionnaireError listing every condition this dialect cannot express."""
        problems = []
        for qq in self.q.questions:
            try:
                self.relevant(qq)
            except QuestionnaireError as exc:
                problems.extend(exc.details)
        if problems:
            raise QuestionnaireError(
                f"{len(problems)} condition(s) cannot be written for {self.d.name}", problems
            )

    def relevant(self, question: Question) -> str | None:
        """The question's own condition, or None when it is always asked."""
        if question.relevant is None:
            return None
        try:
            return self.condition(question.relevant)
        except Unsupported as exc:
            raise QuestionnaireError(
                f"the relevance of {question.id!r} cannot be written as a {self.d.name} expression",
                [
                    ErrorDetail(
                        Code.FORM_UNSUPPORTED_CONDITION,
                        ("question", question.id, "relevant"),
                        str(exc),
                        expected=f"a condition {self.d.name} can express (see docs/forms.md)",
                        got=question.relevant.model_dump(mode="json", by_alias=True, exclude_none=True),
                    )
                ],
            ) from None

    def shown(self, question: Question) -> str | None:
        """When the answer field shows: relevant, and 'not applicable' not ticked."""
        rel = self.relevant(question)
        if not question.allow_na:
            return rel
        return self.d.and_([rel or self.d.true, self.d.not_(self.d.na_checked(question.id))])

    # ---------------------------------------------------------------- the tree
    def condition(self, cond: Condition) -> str:
        if isinstance(cond, All):
            return self.d.and_([self.condition(c) for c in cond.all])
        if isinstance(cond, AnyOf):
            return self.d.or_([self.condition(c) for c in cond.any])
        if isinstance(cond, Not):
            return self.d.not_(self.condition(cond.not_))
        if isinstance(cond, Count):
            return self.count(cond.count)
        return self.compare(cond)

    def compare(self, cmp: Compare) -> str:
        kind, ref = cmp.subject
        parts = [self.op(kind, ref, op, value) for op, value in cmp.operators()]
        return self.d.and_(parts)

    def op(self, kind: str, ref: str, op: str, value: Any) -> str:
        if kind == "question":
            return self.question_op(self.cq.question(ref), op, value)
        if kind == "question_score":
            return self.score_op(self.cq.question(ref), op, value)
        if kind == "profile":
            return self.profile_op(ref, op, value)
        raise Unsupported(f"a {kind} score is not known while the form is filled")

    def question_op(self, qq: Question, op: str, value: Any) -> str:
        if op == "answered":
            return self.d.notempty(qq.id) if value else self.d.empty(qq.id)
        if op == "not_applicable":
            checked = self.d.na_checked(qq.id) if qq.allow_na else self.d.false
            return checked if value else self.d.not_(checked)
        self._check_case(qq)
        return self.d.compare(qq.id, QUESTION_KIND[qq.type], op, value)

    def _check_case(self, qq: Question) -> None:
        """Option ids that differ only in case cannot be compared where text ignores case."""
        if self.d.ignores_case and qq.options:
            folded = [o.id.casefold() for o in qq.options]
            clashing = sorted({o.id for o in qq.options if folded.count(o.id.casefold()) > 1})
            if clashing:
                raise Unsupported(
                    f"{self.d.name} compares text ignoring case, and options {clashing} of {qq.id!r} "
                    "differ only in case"
                )

    # ---------------------------------------------------------------- scores
    def score_op(self, qq: Question, op: str, value: Any) -> str:
        self._check_case(qq)
        test = _score_test(op, value)
        if qq.type == "multiple_choice":
            raise Unsupported(
                f"the score of multiple-choice {qq.id!r} depends on the whole selection; "
                "compare its options instead"
            )
        if qq.type == "numeric":
            return self._band_intervals(qq, test)
        answers = [v for v, score in _discrete_scores(qq) if test(score)]
        kind = QUESTION_KIND[qq.type]
        return self.d.or_([self.d.compare(qq.id, kind, "eq", a) for a in answers])

    def _band_intervals(self, qq: Question, test: Callable[[float], bool]) -> str:
        bands = sorted(qq.bands, key=lambda b: b.min)
        edges = [b.min for b in bands]
        scores = [float(b.score or 0.0) for b in bands]
        parts: list[str] = []
        if test(0.0):  # below the first band scores 0
            parts.append(self.d.compare(qq.id, NUMBER, "lt", edges[0]))
        for i, (lo, score) in enumerate(zip(edges, scores, strict=True)):
            if not test(score):
                continue
            lower = self.d.compare(qq.id, NUMBER, "gte", lo)
            upper = self.d.compare(qq.id, NUMBER, "lt", edges[i + 1]) if i + 1 < len(edges) else self.d.true
            parts.append(self.d.and_([lower, upper]))
        return self.d.or_(parts)

    def count(self, spec: CountSpec) -> str:
        cols = self.cq.select(spec.tags, spec.questions)
        indicators: list[str] = []
        for col in cols.tolist():
            qq = self.cq.questions[col]
            if spec.score_gte is not None:
                passes = self.score_op(qq, "gte", spec.score_gte)
            else:
                passes = self._value_at_least(qq, float(spec.value_gte or 0.0))
            if passes != self.d.false:
                indicators.append(self.d.indicator(passes))
        if spec.at_least <= 0:
            return self.d.true
        if len(indicators) < spec.at_least:
            return self.d.false
        return f"({' + '.join(indicators)}) >= {spec.at_least}"

    def _value_at_least(self, qq: Question, bar: float) -> str:
        # The engine counts codes + offset: the option's position for a single choice, 0/1 for yes/no.
        if qq.type == "single_choice":
            ids = [o.id for i, o in enumerate(qq.options) if i >= bar - 1e-12]
            return self.d.compare(qq.id, CHOICE, "in_", ids) if ids else self.d.false
        if qq.type == "yes_no":
            values = [v for v, code in ((False, 0.0), (True, 1.0)) if code >= bar - 1e-12]
            return self.d.compare(qq.id, BOOL, "in_", values) if values else self.d.false
        if qq.type == "multiple_choice":
            raise Unsupported(f"a value count over multiple-choice {qq.id!r} reads a bit mask")
        return self.d.compare(qq.id, NUMBER, "gte", bar)

    # ---------------------------------------------------------------- profile
    def profile_op(self, field: str, op: str, value: Any) -> str:
        if field in PROFILE_INPUTS:
            name, kind = profile_name(field), PROFILE_INPUTS[field]
            if kind == MULTI and op == "not_in":
                # A set field holds none of the values: an empty set counts (unlike an answer).
                return self.d.not_(self.d.or_([self.d.selected(name, str(v)) for v in value]))
            return self.d.compare(name, kind, op, value)
        if field == "industry_division":
            return self._division_set(op, value, ALL_DIVISIONS)
        if field in DIVISION_FLAGS or field == "above_designated_size":
            return self._derived_bool(field, op, value)
        if field == "size_class":
            return self._size_class(op, value)
        raise Unsupported(
            f"profile field {field!r} cannot be computed in the form; give it with --enterprise "
            "or rewrite the condition over employees, revenue, industry or region"
        )

    def _division_set(self, op: str, value: Any, universe: Sequence[int]) -> str:
        test = _value_test(op, value)
        chosen = [d for d in universe if test(float(d))]
        if not chosen:
            return self.d.false
        return self.d.division_in(chosen)

    def _derived_bool(self, field: str, op: str, value: Any) -> str:
        if field == "above_designated_size":
            name = profile_name("revenue_yuan")
            known = self.d.notempty(name)
            true = f"{self.d.var(name)} >= {_num(ABOVE_DESIGNATED_SIZE_REVENUE)}"
            false = f"{self.d.var(name)} < {_num(ABOVE_DESIGNATED_SIZE_REVENUE)}"
        else:
            members = DIVISION_FLAGS[field]
            known = self.d.notempty(profile_name("industry"))
            true = self.d.division_in([d for d in ALL_DIVISIONS if d in members])
            false = self.d.division_in([d for d in ALL_DIVISIONS if d not in members])
        wanted = _bool_values(op, value)
        return self.d.and_([known, self.d.or_([true if w else false for w in wanted])])

    def _size_class(self, op: str, value: Any) -> str:
        if op not in ("eq", "ne", "in_", "not_in"):
            raise Unsupported(f"operator {op!r} on size_class")
        names = [n for n, _, _ in SIZE_CLASSES_INDUSTRY] + ["micro"]
        values = value if isinstance(value, list) else [value]
        wanted = set(values) if op in ("eq", "in_") else set(names) - set(values)
        emp, rev = self.d.var(profile_name("employees")), self.d.var(profile_name("revenue_yuan"))
        known = self.d.and_(
            [self.d.notempty(profile_name("employees")), self.d.notempty(profile_name("revenue_yuan"))]
        )
        meets = [f"({emp} >= {lo_e} and {rev} >= {_num(lo_r)})" for _, lo_e, lo_r in SIZE_CLASSES_INDUSTRY]
        parts: list[str] = []
        for i, name in enumerate(names):
            if name not in wanted:
                continue
            earlier = [self.d.not_(m) for m in meets[:i]]
            parts.append(self.d.and_([*earlier, meets[i]] if i < len(meets) else earlier))
        return self.d.and_([known, self.d.or_(parts)])


def _bool_values(op: str, value: Any) -> list[bool]:
    if op == "eq":
        return [bool(value)]
    if op == "ne":
        return [not value]
    if op == "in_":
        return sorted({bool(v) for v in value})
    if op == "not_in":
        return sorted({True, False} - {bool(v) for v in value})
    raise Unsupported(f"operator {op!r} on a yes/no profile field")


def _value_test(op: str, value: Any) -> Callable[[float], bool]:
    eps = 1e-9
    if op in ("in_", "not_in"):
        targets = [float(v) for v in value]
        hit: Callable[[float], bool] = lambda x: any(abs(x - t) <= eps for t in targets)  # noqa: E731
        return hit if op == "in_" else (lambda x: not hit(x))
    v = float(value)
    tests: dict[str, Callable[[float], bool]] = {
        "eq": lambda x: abs(x - v) <= eps,
        "ne": lambda x: abs(x - v) > eps,
        "gt": lambda x: x > v + eps,
        "gte": lambda x: x >= v - eps,
        "lt": lambda x: x < v - eps,
        "lte": lambda x: x <= v + eps,
    }
    if op not in tests:
        raise Unsupported(f"operator {op!r} on a number")
    return tests[op]


_score_test = _value_test


def _discrete_scores(qq: Question) -> list[tuple[Any, float]]:
    """Every possible answer of a discrete question with its score."""
    if qq.type == "single_choice":
        return [(o.id, float(o.score or 0.0)) for o in qq.options]
    if qq.type == "yes_no":
        return [(True, qq.score_yes), (False, qq.score_no)]
    lo, hi = int(qq.min or 0), int(qq.max or 0)
    return [(v, (v - lo) / (hi - lo)) for v in range(lo, hi + 1)]

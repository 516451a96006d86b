"""Diagnosis reports for the enterprise: a self-contained HTML page (print it to A4 PDF) or Markdown.

``build_report(assessment)`` gives the diagnosis of one assessment: header,
overall score and level ladder, radar of the top-level dimensions against the
next level's bars, per-dimension bars, ranked support categories with their
reasons, the roadmap, every answer, and metadata.
``build_progress_report(comparison)`` gives T0 -> T1.

The page has inline CSS and inline SVG only: no scripts, fonts, images or any
other network resource.  Every text from data (the enterprise's name, notes,
questionnaire and catalog texts) is escaped: by Jinja2's autoescaping in HTML,
and by :func:`md_escape` in Markdown.  Jinja2 is imported only when a report is
rendered, so ``import yzmaturity`` stays light.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ._conditions import CountSpec, walk
from ._exceptions import NotFoundError, ReportError
from ._text import Text

if TYPE_CHECKING:
    from jinja2 import Environment

    from ._answers import Answer, AnswerSheet
    from ._assessment import Assessment
    from ._compare import Comparison
    from ._matching import Citation, Recommendation
    from ._model import Question, Questionnaire
    from ._scoring import BatchScores

__all__ = ["Report", "ReportError", "build_progress_report", "build_report", "md_escape"]

ReportKind = Literal["assessment", "progress"]
FORMATS = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md"}


# --------------------------------------------------------------------------- UI strings
UI: dict[str, dict[str, str]] = {
    "zh": {
        "report_title": "{name} 智改数转诊断报告",
        "progress_title": "{name} 智改数转诊断对比报告",
        "subtitle": "数字化成熟度自评估 · {questionnaire}",
        "enterprise": "企业名称",
        "credit_code": "统一社会信用代码",
        "region": "所在地区",
        "industry": "所属行业（GB/T 4754）",
        "size_class": "企业规模",
        "above_designated_size": "规模以上工业企业",
        "date": "评估日期",
        "assessor": "评估人",
        "assessor_self": "企业自评",
        "assessor_consultant": "咨询诊断服务商",
        "summary": "总体评估",
        "overall": "总分",
        "level": "成熟度等级",
        "level_ladder": "成熟度等级阶梯",
        "you_are_here": "当前",
        "next_level": "下一级",
        "top_level": "已达到最高等级",
        "radar": "各维度得分与下一级要求",
        "radar_note": "实线为企业得分；虚线为达到 L{target} 的参考值（等级规则中的维度要求；规则未设要求的维度取该维度自身的 L{target} 阈值）。",
        "series_enterprise": "企业得分",
        "series_target": "L{target} 参考值",
        "dimensions": "各维度得分",
        "peers": "同行对比",
        "dimension": "维度",
        "score": "得分",
        "bar": "得分条",
        "reference": "下一级参考值",
        "required_mark": "*",
        "required_note": "* 为 L{target} 等级规则中的硬性要求；其余为该维度自身的 L{target} 阈值。橙色竖线为参考值。",
        "dim_level": "维度等级",
        "answered": "已答/题数",
        "recommendations": "资助方向建议",
        "recommendations_intro": "按“匹配度 × 资格系数”排序；匹配理由列出所依据的输入及其取值。资助金额仅列出已知的政策文件来源，以当年申报通知为准。",
        "no_catalog": "该问卷没有对应的资助政策目录。",
        "fit": "匹配度",
        "eligibility": "申报资格",
        "priority": "优先级",
        "funds": "资助内容",
        "reasons": "匹配理由",
        "unmet": "未满足的条件",
        "to_check": "待核实的条件",
        "manual": "需提供材料核实",
        "tier": "可争创等级",
        "actions": "建议行动",
        "amounts": "已知资助额度",
        "amount_item": "项目",
        "amount_max": "最高金额",
        "amount_note": "说明",
        "source": "来源",
        "not_applicable_reason": "不适用原因",
        "roadmap": "提升路线图",
        "roadmap_head": "从 L{current} {current_name} 到 L{target} {target_name}：{n} 项改进，工作量 {cost}，总分 {before} → {after}",
        "roadmap_unreached": "仅靠改进答案无法达到目标等级，请检查等级规则中的其他要求。",
        "roadmap_top": "企业已达到最高等级，无需提升路线；建议保持并争创标杆示范。",
        "gaps": "目标等级的各项要求",
        "requirement": "要求",
        "current": "当前值",
        "required": "要求值",
        "gap": "差距",
        "met": "已达到",
        "steps": "改进步骤",
        "step": "序号",
        "question": "题目",
        "change": "当前 → 目标",
        "gain": "单题得分",
        "overall_gain": "总分提升",
        "effort": "工作量",
        "guidance": "改进建议",
        "appendix": "附录：全部答案",
        "answer": "答案",
        "note": "备注",
        "evidence": "证明材料",
        "not_answered": "未作答",
        "not_relevant": "无需回答（条件不适用）",
        "na": "不适用",
        "yes": "是",
        "no": "否",
        "none_selected": "（未选择）",
        "metadata": "报告信息",
        "questionnaire": "问卷",
        "questionnaire_version": "问卷版本",
        "questionnaire_hash": "问卷内容哈希",
        "catalog": "资助政策目录",
        "generator": "生成工具",
        "generated": "生成日期",
        "warnings": "提示",
        "disclaimer": "本报告根据问卷答案由 yzmaturity 自动生成，属于自评估结果（含咨询机构协助填写的情形），不代表任何政府部门的官方评定、认定或资助承诺。得分和等级依据问卷中的评分规则；资助方向和金额仅供参考，请以当年政策文件和申报通知为准。",
        "count": "计数",
        "count_ref": "标签 {tags} 达到 {bar} 的题目数",
        "count_ids": "题目 {ids} 达到 {bar} 的个数",
        "effort_low": "低",
        "effort_medium": "中",
        "effort_high": "高",
        "progress": "对比",
        "period": "对比期间",
        "before": "前次（T0）",
        "after": "本次（T1）",
        "delta": "变化",
        "level_change": "等级变化",
        "dimension_changes": "各维度变化",
        "categories_changed": "资助方向的变化",
        "categories_unchanged": "各资助方向的匹配度和申报资格均无明显变化（匹配度变化小于 0.05）。",
        "category": "资助方向",
        "answers_changed": "答案变化",
        "answers_unchanged": "两次评估的答案相同。",
        "notes": "注意事项",
        "series_before": "T0 {date}",
        "series_after": "T1 {date}",
        "progress_radar_note": "灰色虚线为前次（T0），蓝色实线为本次（T1），橙色虚线为本次对应下一级 L{target} 的参考值。",
        "bar_legend": "浅灰色为 T0 得分，蓝色为 T1 得分。",
        "note_questionnaire_changed": "两次评估使用了不同版本的问卷，只比较共同的题目",
        "note_different_enterprise": "两次评估似乎不是同一家企业",
    },
    "en": {
        "report_title": "Digital-maturity diagnosis report: {name}",
        "progress_title": "Progress report: {name}",
        "subtitle": "Digital-maturity self-assessment · {questionnaire}",
        "enterprise": "Enterprise",
        "credit_code": "Unified social credit code",
        "region": "Region",
        "industry": "Industry (GB/T 4754)",
        "size_class": "Size class",
        "above_designated_size": "Above designated size",
        "date": "Assessment date",
        "assessor": "Assessor",
        "assessor_self": "self-assessment",
        "assessor_consultant": "consulting-diagnosis provider",
        "summary": "Summary",
        "overall": "Overall score",
        "level": "Maturity level",
        "level_ladder": "Maturity level ladder",
        "you_are_here": "now",
        "next_level": "Next level",
        "top_level": "At the top level",
        "radar": "Dimension scores against the next level",
        "radar_note": "Solid: the enterprise's scores; dashed: the reference for L{target} (the level rule's bar for a dimension; where the rule sets none, the dimension's own L{target} threshold).",
        "series_enterprise": "Enterprise",
        "series_target": "L{target} reference",
        "dimensions": "Dimension scores",
        "peers": "Among peers",
        "dimension": "Dimension",
        "score": "Score",
        "bar": "Bar",
        "reference": "Next-level reference",
        "required_mark": "*",
        "required_note": "* required by the L{target} rule; other values are the dimension's own L{target} threshold. The orange tick marks the reference.",
        "dim_level": "Dimension level",
        "answered": "Answered",
        "recommendations": "Support categories",
        "recommendations_intro": "Ranked by fit × eligibility factor; each reason cites the inputs it rests on and their values. Amounts are the known ones with their sources; the year's call for applications decides.",
        "no_catalog": "No policy catalog is available for this questionnaire.",
        "fit": "Fit",
        "eligibility": "Eligibility",
        "priority": "Priority",
        "funds": "Funds",
        "reasons": "Reasons",
        "unmet": "Unmet requirements",
        "to_check": "To check",
        "manual": "needs documents",
        "tier": "Could aim at",
        "actions": "Actions",
        "amounts": "Known amounts",
        "amount_item": "Item",
        "amount_max": "Up to",
        "amount_note": "Note",
        "source": "Source",
        "not_applicable_reason": "Why not applicable",
        "roadmap": "Roadmap",
        "roadmap_head": "From L{current} {current_name} to L{target} {target_name}: {n} improvements, effort {cost}, overall {before} → {after}",
        "roadmap_unreached": "The target level cannot be reached by improving answers alone; check the level rule's other requirements.",
        "roadmap_top": "The enterprise is at the top level; no roadmap is needed. Keep it up and aim at benchmark status.",
        "gaps": "Requirements of the target level",
        "requirement": "Requirement",
        "current": "Current",
        "required": "Required",
        "gap": "Gap",
        "met": "met",
        "steps": "Steps",
        "step": "#",
        "question": "Question",
        "change": "Current → target",
        "gain": "Item score",
        "overall_gain": "Overall gain",
        "effort": "Effort",
        "guidance": "Guidance",
        "appendix": "Appendix: all answers",
        "answer": "Answer",
        "note": "Note",
        "evidence": "Evidence",
        "not_answered": "not answered",
        "not_relevant": "not asked (condition not met)",
        "na": "not applicable",
        "yes": "yes",
        "no": "no",
        "none_selected": "(none selected)",
        "metadata": "About this report",
        "questionnaire": "Questionnaire",
        "questionnaire_version": "Questionnaire version",
        "questionnaire_hash": "Questionnaire content hash",
        "catalog": "Policy catalog",
        "generator": "Generated by",
        "generated": "Generated on",
        "warnings": "Warnings",
        "disclaimer": "This report was generated by yzmaturity from the answers to a questionnaire. It is a self-assessment (also when a consultant helped to fill it in), not an official evaluation, certification or promise of funding by any authority. Scores and levels follow the questionnaire's scoring rules; support categories and amounts are indicative: the year's policy documents and calls for applications decide.",
        "count": "count",
        "count_ref": "questions tagged {tags} at {bar} or more",
        "count_ids": "questions {ids} at {bar} or more",
        "effort_low": "low",
        "effort_medium": "medium",
        "effort_high": "high",
        "progress": "Progress",
        "period": "Period",
        "before": "Before (T0)",
        "after": "After (T1)",
        "delta": "Change",
        "level_change": "Level change",
        "dimension_changes": "Dimension changes",
        "categories_changed": "Support categories that changed",
        "categories_unchanged": "No support category changed noticeably in fit (less than 0.05) or eligibility.",
        "category": "Category",
        "answers_changed": "Answers that changed",
        "answers_unchanged": "The answers are the same in both assessments.",
        "notes": "Notes",
        "series_before": "T0 {date}",
        "series_after": "T1 {date}",
        "progress_radar_note": "Grey dashed: before (T0); blue: after (T1); orange dashed: the reference for T1's next level L{target}.",
        "bar_legend": "Light grey: T0 score; blue: T1 score.",
        "note_questionnaire_changed": "the two assessments used different questionnaire versions; only common items are compared",
        "note_different_enterprise": "the two assessments seem to be of different enterprises",
    },
}

_SIZE_NAMES = {
    "zh": {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"},
    "en": {"large": "large", "medium": "medium", "small": "small", "micro": "micro"},
}
_ROLE_NAMES = {
    "zh": {
        "manufacturer": "制造企业",
        "equipment_maker": "装备制造企业",
        "solution_provider": "解决方案服务商",
    },
    "en": {
        "manufacturer": "manufacturer",
        "equipment_maker": "equipment maker",
        "solution_provider": "solution provider",
    },
}
_PROFILE_NAMES = {
    "zh": {
        "name": "企业名称",
        "credit_code": "统一社会信用代码",
        "region": "所在地区",
        "industry": "行业代码",
        "employees": "从业人数",
        "revenue_yuan": "营业收入（元）",
        "roles": "企业类型",
        "rnd": "自主研发",
        "diagnosed": "已开展诊断",
        "planned_investment_yuan": "计划投资（元）",
        "years_operating": "经营年限",
        "certifications": "认证",
        "size_class": "企业规模",
        "above_designated_size": "规模以上",
        "industry_division": "行业大类",
        "is_manufacturing": "制造业",
        "is_equipment_maker": "装备制造业",
        "in_yangzhou": "注册在扬州",
    },
    "en": {
        "name": "name",
        "credit_code": "credit code",
        "region": "region",
        "industry": "industry code",
        "employees": "employees",
        "revenue_yuan": "revenue (yuan)",
        "roles": "roles",
        "rnd": "own R&D",
        "diagnosed": "diagnosed",
        "planned_investment_yuan": "planned investment (yuan)",
        "years_operating": "years operating",
        "certifications": "certifications",
        "size_class": "size class",
        "above_designated_size": "above designated size",
        "industry_division": "industry division",
        "is_manufacturing": "manufacturing",
        "is_equipment_maker": "equipment maker",
        "in_yangzhou": "registered in Yangzhou",
    },
}
_KIND_NAMES = {
    "zh": {
        "dimension": "维度",
        "metric": "指标",
        "question": "题目",
        "question_score": "题目得分",
        "profile": "企业信息",
    },
    "en": {
        "dimension": "dimension",
        "metric": "metric",
        "question": "question",
        "question_score": "question score",
        "profile": "profile",
    },
}
_OPS = {"gte": "≥", "gt": ">", "lte": "≤", "lt": "<", "eq": "=", "ne": "≠", "in_": "∈", "not_in": "∉"}


def _check_lang(lang: str) -> str:
    if lang not in UI:
        raise ReportError(f"unknown report language {lang!r}; expected 'zh' or 'en'")
    return lang


# --------------------------------------------------------------------------- Markdown escaping
_MD_BACKSLASH = re.compile(r"([\\`*_\[\]|~$])")


def md_escape(value: object) -> str:
    """Text safe inside Markdown (tables included): one line, no markup, no raw HTML.

    Backslash-escapes ``\\ ` * _ [ ] | ~ $`` and writes ``& < >`` as entities,
    so user text can neither format, link, break a table nor inject HTML.
    """
    text = " ".join(str(value).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_BACKSLASH.sub(r"\\\1", text)


def _md_finalize(value: Any) -> Any:
    from markupsafe import Markup

    if isinstance(value, Markup):  # trusted Markdown built by this module
        return str(value)
    return md_escape(value)


def _md_code(value: object) -> Any:
    """An identifier as a code span (ids are restricted to ``[A-Za-z0-9_.-]``)."""
    from markupsafe import Markup

    text = str(value)
    return Markup(f"`{text}`") if "`" not in text and text.strip() == text and text else md_escape(text)


@lru_cache(maxsize=2)
def _environment(kind: Literal["html", "md"]) -> Environment:
    from importlib import resources

    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    templates = resources.files(__package__ or "yzmaturity") / "templates"
    loader = FileSystemLoader(str(templates))
    if kind == "html":
        env = Environment(
            loader=loader,
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
    else:
        env = Environment(
            loader=loader,
            autoescape=False,
            finalize=_md_finalize,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        env.filters["code"] = _md_code
    return env


# --------------------------------------------------------------------------- the report
class Report:
    """A rendered-on-demand diagnosis (or progress) report.

    ``to_html()`` gives a self-contained page (inline CSS and SVG, no network
    resources; print it to PDF on A4), ``to_markdown()`` the same content as
    Markdown, ``save(path)`` writes either by the file extension, and in a
    notebook the report shows itself (``_repr_html_``).
    """

    def __init__(self, kind: ReportKind, lang: str, title: str, context: dict[str, Any]) -> None:
        self.kind: ReportKind = kind
        self.lang: str = _check_lang(lang)
        self.title: str = title
        self.context: dict[str, Any] = context

    def _render(self, fmt: Literal["html", "md"], full: bool = True) -> str:
        env = _environment(fmt)
        template = env.get_template(f"{self.kind}.{fmt}")
        return template.render(**self.context, t=UI[self.lang], lang=self.lang, title=self.title, full=full)

    def to_html(self) -> str:
        """The whole report as one self-contained HTML document."""
        return self._render("html")

    def to_markdown(self) -> str:
        """The report as Markdown (GitHub-flavoured tables; user text escaped)."""
        return self._render("md")

    def _repr_html_(self) -> str:
        """A fragment for notebooks: the report body with its CSS scoped to ``.yzr``."""
        return self._render("html", full=False)

    def save(self, path: str | os.PathLike[str], format: str | None = None) -> Path:
        """Write the report; the format comes from the extension (.html, .htm, .md) unless given."""
        target = Path(path)
        fmt = format or FORMATS.get(target.suffix.lower())
        if fmt not in ("html", "md"):
            given = f"format {format!r}" if format else f"extension {target.suffix or '(none)'!r}"
            raise ReportError(
                f"cannot write a report as {given} ({target}); use .html, .htm or .md "
                "(for PDF, open the HTML report in a browser and print it: the page is laid out for A4)"
            )
        text = self.to_html() if fmt == "html" else self.to_markdown()
        target.write_text(text, encoding="utf-8")
        return target

    def __repr__(self) -> str:
        return f"<Report {self.kind} {self.title!r} ({self.lang})>"


def build_report(
    assessment: Assessment,
    lang: str = "zh",
    cohort: BatchScores | None = None,
    by: Sequence[str] = ("industry_division", "size_class"),
) -> Report:
    """The diagnosis report of one assessment, in Chinese (``zh``) or English (``en``).

    With a ``cohort`` (the scores of many enterprises, e.g. ``score_table(...).scores``)
    the report says where the enterprise stands among its peers grouped ``by``
    profile fields (see :func:`yzmaturity.position`).
    """
    _check_lang(lang)
    context = _assessment_context(assessment, lang)
    context["peers"] = []
    if cohort is not None:
        from ._cohort import position

        pos = position(assessment, cohort, by=by)
        context["peers"] = pos.sentences(lang)
    title = UI[lang]["report_title"].format(name=assessment.enterprise.name)
    return Report("assessment", lang, title, context)


def build_progress_report(comparison: Comparison, lang: str = "zh") -> Report:
    """The progress report of a comparison (T0 -> T1) of one enterprise."""
    _check_lang(lang)
    context = _progress_context(comparison, lang)
    title = UI[lang]["progress_title"].format(name=comparison.after.enterprise.name)
    return Report("progress", lang, title, context)


# --------------------------------------------------------------------------- formatting
def _num(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _signed(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    rounded = round(value, digits)
    if rounded == 0:
        return f"±{0:.{digits}f}"
    return f"{rounded:+.{digits}f}"


def _g(value: float) -> str:
    return f"{value:g}"


def _yuan(amount: float, lang: str) -> str:
    if lang == "zh":
        if amount >= 10_000:
            return f"{amount / 10_000:g}万元"
        return f"{amount:g}元"
    return f"CNY {amount:,.0f}"


def _text(t: Text | None, lang: str) -> str:
    return "" if t is None else t.of(lang)


def _value_text(question: Question | None, value: Any, lang: str) -> str:
    """An answer value as people read it: option labels (not ids), yes/no, numbers with units."""
    t = UI[lang]
    if value is None:
        return t["not_answered"]
    if value == "n/a":
        return t["na"]
    if question is None:
        return _plain(value, lang)
    kind = question.type
    if kind == "single_choice":
        opt = question.option(str(value))
        return opt.label.of(lang) if opt is not None else str(value)
    if kind == "multiple_choice":
        values = sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
        if not values:
            return t["none_selected"]
        labels = []
        for v in values:
            opt = question.option(str(v))
            labels.append(opt.label.of(lang) if opt is not None else str(v))
        return "；".join(labels) if lang == "zh" else "; ".join(labels)
    if kind == "yes_no":
        return t["yes"] if bool(value) else t["no"]
    if kind in ("scale", "scene_level"):
        point = next((p for p in question.points if p.value == value), None)
        shown = _g(float(value)) if isinstance(value, int | float) else str(value)
        if point is None:
            return shown
        return f"{shown}（{point.label.of(lang)}）" if lang == "zh" else f"{shown} ({point.label.of(lang)})"
    if kind == "numeric" and isinstance(value, int | float) and not isinstance(value, bool):
        unit = question.unit or ""
        return f"{_g(float(value))}{'' if unit in ('', '%') else ' '}{unit}"
    return _plain(value, lang)


def _plain(value: Any, lang: str) -> str:
    t = UI[lang]
    if isinstance(value, bool):
        return t["yes"] if value else t["no"]
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 100_000 else f"{value:g}"
    if isinstance(value, set | frozenset | list | tuple):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
        return ", ".join(_ROLE_NAMES[lang].get(str(v), str(v)) for v in items) or "—"
    if isinstance(value, str):
        return _ROLE_NAMES[lang].get(value, _SIZE_NAMES[lang].get(value, value))
    return str(value)


def _answer_text(question: Question, answer: Answer | None, lang: str) -> str:
    if answer is None:
        return UI[lang]["not_answered"]
    if answer.not_applicable:
        return UI[lang]["na"]
    return _value_text(question, answer.value, lang)


def _question_or_none(q: Questionnaire, qid: str) -> Question | None:
    try:
        return q.question(qid)
    except NotFoundError:  # an id the questionnaire does not have (e.g. another version)
        return None


def _dimension_title(q: Questionnaire, did: str, lang: str) -> str:
    try:
        return q.dimension(did).title.of(lang)
    except NotFoundError:
        return did


def _metric_title(q: Questionnaire, ref: str, lang: str) -> str:
    if ref == "overall":
        return UI[lang]["overall"]
    metric = next((m for m in q.metrics if m.id == ref), None)
    return ref if metric is None else metric.title.of(lang)


def _count_label(ref: str, lang: str) -> str:
    """``scene+mandatory at >= 3`` -> a readable count label."""
    t = UI[lang]
    sel, _, bar = ref.partition(" at >= ")
    if "," in sel:
        return t["count_ids"].format(ids=sel, bar=bar)
    return t["count_ref"].format(tags=sel, bar=bar)


def _citation_text(c: Citation, q: Questionnaire, lang: str) -> str:
    """One cited input: what it is, its value and the bar of the condition that read it."""
    kinds = _KIND_NAMES[lang]
    question = None
    if c.kind == "dimension":
        label = f"{kinds['dimension']} {_dimension_title(q, c.ref, lang)}"
    elif c.kind == "metric":
        label = _metric_title(q, c.ref, lang)
    elif c.kind in ("question", "question_score"):
        question = _question_or_none(q, c.ref)
        shown = question.text.of(lang) if question is not None else c.ref
        label = f"{kinds[c.kind]} {shown}"
    elif c.kind == "profile":
        label = _PROFILE_NAMES[lang].get(c.ref, c.ref)
    elif c.kind == "count":
        label = _count_label(c.ref, lang)
    else:
        label = f"{c.kind} {c.ref}"
    if c.kind == "question":
        value = _value_text(question, c.value, lang) if c.value is not None else "?"
    elif c.value is None:
        value = "?"
    elif isinstance(c.value, float) and c.kind != "profile":
        value = _num(c.value)
    else:
        value = _plain(c.value, lang)
    text = f"{label} = {value}"
    if c.op:
        symbol = _OPS.get(c.op, "∋" if c.op == "contains" else c.op)
        text += f" ({symbol} {_threshold_text(c, question, lang)})"
    return text


def _threshold_text(c: Citation, question: Question | None, lang: str) -> str:
    """The bar of a cited comparison: option labels for choices, plain numbers for ordinal bars."""
    th = c.threshold
    if th is None:
        return "?"
    ordinal = c.op in ("gt", "gte", "lt", "lte")
    if c.kind == "question" and question is not None and not ordinal:
        if c.op == "contains" or question.type in ("single_choice", "multiple_choice"):
            items = th if isinstance(th, list | tuple) else [th]
            labels = []
            for v in items:
                opt = question.option(str(v))
                labels.append(opt.label.of(lang) if opt is not None else str(v))
            shown = ", ".join(labels)
            return "{" + shown + "}" if isinstance(th, list | tuple) else shown
        if isinstance(th, list | tuple):
            return "{" + ", ".join(_value_text(question, v, lang) for v in th) + "}"
        return _value_text(question, th, lang)
    if isinstance(th, list | tuple):
        return "{" + ", ".join(_plain(v, lang) for v in th) + "}"
    if isinstance(th, bool) or not isinstance(th, int | float):
        return _plain(th, lang)
    return _plain(float(th), lang) if abs(th) >= 100_000 else _g(float(th))


# --------------------------------------------------------------------------- level bars
def level_bars(q: Questionnaire, target: int) -> tuple[float | None, dict[str, float]]:
    """The overall bar and the dimension bars (``gte``/``gt``) that reaching ``target`` needs.

    With a cumulative scheme the bars of every level up to ``target`` count
    (the highest bar of each subject); otherwise only the target's own rule.
    """
    levels = q.levels.levels
    if target <= 0:
        return None, {}
    chosen = levels[1 : target + 1] if q.levels.cumulative else [levels[target]]
    overall: float | None = None
    dims: dict[str, float] = {}
    for lv in chosen:
        if lv.rule is None:
            continue
        for leaf in walk(lv.rule, negated=False):
            if isinstance(leaf, CountSpec):
                continue
            bar = leaf.gte if leaf.gte is not None else leaf.gt
            if bar is None:
                continue
            kind, ref = leaf.subject
            if kind == "metric" and ref == "overall":
                overall = bar if overall is None else max(overall, bar)
            elif kind == "dimension":
                dims[ref] = max(dims.get(ref, bar), bar)
    return overall, dims


def dimension_references(q: Questionnaire, target: int) -> dict[str, tuple[float, bool]]:
    """Per dimension: (reference score for ``target``, whether the level rule requires it).

    The reference is the rule's bar where there is one; else the dimension's own
    threshold for that level number; for a top-level dimension with neither,
    the rule's overall bar.
    """
    overall, bars = level_bars(q, target)
    out: dict[str, tuple[float, bool]] = {}
    top_ids = {d.id for d in q.dimensions}
    for dim in q.walk_dimensions():
        if dim.id in bars:
            out[dim.id] = (bars[dim.id], True)
        elif target >= 1 and dim.level_thresholds and len(dim.level_thresholds) >= target:
            out[dim.id] = (float(dim.level_thresholds[target - 1]), False)
        elif dim.id in top_ids and overall is not None:
            out[dim.id] = (overall, False)
    return out


def _target_level(a: Assessment) -> int:
    top = len(a.questionnaire.levels.levels) - 1
    return min(a.level.number + 1, top)


# --------------------------------------------------------------------------- contexts
def _header(a: Assessment, lang: str) -> dict[str, Any]:
    t = UI[lang]
    e = a.enterprise
    assessor = a.sheet.assessor
    who = [t["assessor_self"] if assessor.kind == "self" else t["assessor_consultant"]]
    who += [x for x in (assessor.name, assessor.organisation) if x]
    size = _SIZE_NAMES[lang].get(e.size_class or "", "—")
    if e.above_designated_size:
        size += f"（{t['above_designated_size']}）" if lang == "zh" else f" ({t['above_designated_size']})"
    rows = [
        (t["enterprise"], e.name),
        (t["credit_code"], e.credit_code or "—"),
        (t["region"], e.region or "—"),
        (t["industry"], e.industry or "—"),
        (t["size_class"], size),
        (t["date"], _date(a.sheet)),
        (t["assessor"], " · ".join(who)),
    ]
    return {"name": e.name, "rows": rows}


def _date(sheet: AnswerSheet) -> str:
    return "—" if sheet.date is None else sheet.date.isoformat()


def _levels(a: Assessment, lang: str) -> list[tuple[int, str]]:
    return [(lv.number, lv.name.of(lang)) for lv in a.questionnaire.levels.levels]


def _dimension_rows(a: Assessment, lang: str, refs: dict[str, tuple[float, bool]]) -> list[dict[str, Any]]:
    from . import _svg

    rows = []
    for d in a.dimensions.values():
        ref = refs.get(d.id)
        title = d.title.of(lang)
        rows.append(
            {
                "id": d.id,
                "title": title,
                "depth": d.depth,
                "score": _num(d.score),
                "bar": _markup(_svg.bar(d.score, target=None if ref is None else ref[0], label=title)),
                "text_bar": _text_bar(d.score),
                "reference": "—"
                if ref is None
                else _g(ref[0]) + (UI[lang]["required_mark"] if ref[1] else ""),
                "level": "—" if d.level is None else f"L{d.level}",
                "answered": f"{d.answered}/{d.questions}",
            }
        )
    return rows


def _text_bar(score: float | None, width: int = 20) -> str:
    if score is None:
        return "·" * width
    filled = round(max(0.0, min(100.0, score)) / 100 * width)
    return "█" * filled + "·" * (width - filled)


def _markup(svg: str) -> Any:
    from markupsafe import Markup

    return Markup(svg)


def _radar(
    a: Assessment, lang: str, series: list[tuple[str, list[float | None], str, bool]], title: str
) -> Any:
    from . import _svg

    tops = [d for d in a.dimensions.values() if d.depth == 0]
    axes = [d.title.of(lang) for d in tops]
    return _markup(
        _svg.radar(
            axes,
            [
                _svg.Series(label, values, color, dashed, 0.06 if dashed else 0.2)
                for label, values, color, dashed in series
            ],
            title=title,
        )
    )


def _recommendation(r: Recommendation, rank: int, q: Questionnaire, lang: str) -> dict[str, Any]:
    from ._render_text import _STATE_TEXT

    states = _STATE_TEXT[lang]
    spec = r.category_spec
    return {
        "rank": rank,
        "id": r.category,
        "name": r.name.of(lang),
        "description": spec.description.of(lang),
        "funds": spec.funds.of(lang),
        "fit": f"{r.fit:.2f}",
        "fit_pct": round(max(0.0, min(1.0, r.fit)) * 100),
        "eligibility": r.eligibility,
        "eligibility_text": states[r.eligibility],
        "priority": f"{r.priority:.2f}",
        "not_applicable_reason": _text(spec.not_applicable_reason, lang)
        if r.eligibility == "not_applicable"
        else "",
        "reasons": [
            {
                "text": reason.text.of(lang),
                "weight": f"{reason.weight:+.2f}",
                "cites": [_citation_text(c, q, lang) for c in reason.cites],
            }
            for reason in r.reasons
        ],
        "unmet": [
            {"text": req.text.of(lang), "cites": [_citation_text(c, q, lang) for c in req.cites]}
            for req in r.unmet
        ],
        "to_check": [
            {
                "text": req.text.of(lang),
                "manual": req.manual,
                "cites": [_citation_text(c, q, lang) for c in req.cites],
            }
            for req in r.to_check
        ],
        "tier": "" if r.tier is None else r.tier.name.of(lang),
        "tier_note": "" if r.tier is None else _text(r.tier.note, lang),
        "actions": [x.of(lang) for x in dict.fromkeys(r.actions)],
        "amounts": [
            {
                "item": amount.item.of(lang),
                "max": "—" if amount.max_yuan is None else _yuan(amount.max_yuan, lang),
                "note": _text(amount.note, lang),
                "source": amount.source + ("" if amount.year is None else f" ({amount.year})"),
            }
            for amount in spec.amounts
        ],
    }


def _roadmap(a: Assessment, lang: str) -> dict[str, Any]:
    t = UI[lang]
    q = a.questionnaire
    levels = q.levels.levels
    top = len(levels) - 1
    if a.level.number >= top:
        return {"top": True, "head": t["roadmap_top"], "reached": True, "gaps": [], "steps": []}
    rm = a.roadmap()
    head = t["roadmap_head"].format(
        current=rm.current_level,
        current_name=levels[rm.current_level].name.of(lang),
        target=rm.target_level,
        target_name=levels[rm.target_level].name.of(lang),
        n=len(rm.steps),
        cost=_g(rm.total_cost),
        before=_num(rm.overall_before),
        after=_num(rm.overall_after),
    )
    gaps = []
    for g in rm.gaps:
        if g.kind == "dimension":
            label = f"{_KIND_NAMES[lang]['dimension']} {_dimension_title(q, g.ref, lang)}"
        elif g.kind == "metric":
            label = _metric_title(q, g.ref, lang)
        elif g.kind == "count":
            label = _count_label(g.ref, lang)
        else:
            label = f"{g.kind} {g.ref}"
        digits = 0 if g.kind == "count" else 1
        gaps.append(
            {
                "label": label,
                "current": _num(g.current, digits),
                "required": _num(g.required, digits),
                "gap": t["met"] if g.gap <= 0 else _num(g.gap, digits),
                "met": g.gap <= 0,
            }
        )
    steps = []
    for i, s in enumerate(rm.steps, start=1):
        question = q.question(s.question)
        steps.append(
            {
                "n": i,
                "id": s.question,
                "text": s.text.of(lang),
                "dimension": _dimension_title(q, s.dimension, lang),
                "current": _value_text(question, s.current, lang),
                "target": _value_text(question, s.target, lang),
                "score": f"{s.score_from:.2f} → {s.score_to:.2f}",
                "gain": f"+{s.overall_gain:.1f}",
                "effort": t.get(f"effort_{s.effort}", s.effort),
                "cost": _g(s.cost),
                "guidance": [g.of(lang) for g in s.guidance],
            }
        )
    return {"top": False, "head": head, "reached": rm.reached, "gaps": gaps, "steps": steps}


def _answers(a: Assessment, lang: str) -> list[dict[str, Any]]:
    """Every question by leaf dimension: answer labels, score, note and evidence."""
    t = UI[lang]
    q = a.questionnaire
    results = a.questions
    groups = []
    for dim, questions in _leaf_groups(q):
        rows = []
        for question in questions:
            res = results[question.id]
            answer = a.sheet.answers.get(question.id)
            shown = t["not_relevant"] if not res.relevant else _answer_text(question, answer, lang)
            rows.append(
                {
                    "id": question.id,
                    "text": question.text.of(lang),
                    "answer": shown,
                    "score": "—" if res.score is None or not res.applicable else f"{res.score:.2f}",
                    "note": "" if answer is None or answer.note is None else answer.note,
                    "evidence": [] if answer is None else list(answer.evidence),
                }
            )
        groups.append({"id": dim.id, "title": _path_title(q, dim.id, lang), "rows": rows})
    return groups


def _leaf_groups(q: Questionnaire) -> list[tuple[Any, list[Question]]]:
    return [(d, list(d.questions)) for d in q.walk_dimensions() if d.questions]


def _path_title(q: Questionnaire, did: str, lang: str) -> str:
    cq = q.compiled()
    parts = []
    d = cq.dim_index[did]
    while d >= 0:
        parts.append(cq.dims[d].title.of(lang))
        d = int(cq.parent[d])
    return " / ".join(reversed(parts))


def _metadata(a: Assessment, lang: str) -> list[tuple[str, str]]:
    from . import __version__
    from ._loading import default_catalog

    t = UI[lang]
    q = a.questionnaire
    rows = [
        (t["questionnaire"], f"{q.id} · {q.title.of(lang)}"),
        (t["questionnaire_version"], q.version),
        (t["questionnaire_hash"], a.questionnaire_hash),
    ]
    catalog = default_catalog(q.id)
    if catalog is not None:
        rows.append((t["catalog"], f"{catalog.id} v{catalog.version} · {catalog.title.of(lang)}"))
    rows += [
        (t["generator"], f"yzmaturity {__version__}"),
        (t["generated"], dt.date.today().isoformat()),
    ]
    return rows


def _assessment_context(a: Assessment, lang: str) -> dict[str, Any]:
    from . import _svg

    t = UI[lang]
    q = a.questionnaire
    target = _target_level(a)
    top = len(q.levels.levels) - 1
    refs = dimension_references(q, target)
    tops = [d for d in a.dimensions.values() if d.depth == 0]
    radar = _radar(
        a,
        lang,
        [
            (
                t["series_target"].format(target=target),
                [refs[d.id][0] if d.id in refs else None for d in tops],
                _svg.TARGET,
                True,
            ),
            (t["series_enterprise"], [d.score for d in tops], _svg.ACCENT, False),
        ],
        t["radar"],
    )
    level = a.level
    recs = a.recommendations
    return {
        "header": _header(a, lang),
        "subtitle": t["subtitle"].format(questionnaire=q.title.of(lang)),
        "overall": _num(a.overall),
        "level_number": level.number,
        "level_name": level.name.of(lang),
        "level_description": _text(level.description, lang),
        "next_level": "" if level.number >= top else f"L{target} {q.levels.levels[target].name.of(lang)}",
        "is_top": level.number >= top,
        "ladder": _markup(
            _svg.ladder(
                _levels(a, lang),
                level.number,
                target=None if level.number >= top else target,
                here=t["you_are_here"],
                title=t["level_ladder"],
            )
        ),
        "ladder_rows": [
            {"number": n, "name": name, "current": n == level.number} for n, name in _levels(a, lang)
        ],
        "target": target,
        "radar": radar,
        "radar_note": t["radar_note"].format(target=target),
        "radar_rows": [
            {
                "title": d.title.of(lang),
                "score": _num(d.score),
                "reference": "—" if d.id not in refs else _g(refs[d.id][0]),
            }
            for d in tops
        ],
        "dimension_rows": _dimension_rows(a, lang, refs),
        "required_note": t["required_note"].format(target=target),
        "has_catalog": bool(recs),
        "recommendations": [_recommendation(r, i, q, lang) for i, r in enumerate(recs, start=1)],
        "roadmap": _roadmap(a, lang),
        "answer_groups": _answers(a, lang),
        "metadata": _metadata(a, lang),
        "warnings": [str(w) for w in a.warnings],
        "disclaimer": t["disclaimer"],
    }


def _progress_context(c: Comparison, lang: str) -> dict[str, Any]:
    from . import _svg
    from ._render_text import _STATE_TEXT

    t = UI[lang]
    a0, a1 = c.before, c.after
    q = a1.questionnaire
    top = len(q.levels.levels) - 1
    target = _target_level(a1)
    refs = dimension_references(q, target)
    tops = [d for d in a1.dimensions.values() if d.depth == 0]
    d0, d1 = _date(a0.sheet), _date(a1.sheet)
    radar = _radar(
        a1,
        lang,
        [
            (
                t["series_target"].format(target=target),
                [refs[d.id][0] if d.id in refs else None for d in tops],
                _svg.TARGET,
                True,
            ),
            (
                t["series_before"].format(date=d0),
                [c.dimensions[d.id].before if d.id in c.dimensions else None for d in tops],
                _svg.BEFORE,
                True,
            ),
            (t["series_after"].format(date=d1), [d.score for d in tops], _svg.ACCENT, False),
        ],
        t["radar"],
    )
    dims = []
    for did, delta in c.dimensions.items():
        d = a1.dimensions[did]
        title = d.title.of(lang)
        dims.append(
            {
                "title": title,
                "depth": d.depth,
                "before": _num(delta.before),
                "after": _num(delta.after),
                "change": _signed(delta.change),
                "direction": "up"
                if (delta.change or 0) > 0.05
                else "down"
                if (delta.change or 0) < -0.05
                else "same",
                "bar": _markup(_svg.bar(delta.after, before=delta.before, label=title)),
                "text_bar": _text_bar(delta.after),
            }
        )
    states = _STATE_TEXT[lang]
    names = {r.category: r.name.of(lang) for r in a1.recommendations}
    categories = [
        {
            "id": cat.category,
            "name": names.get(cat.category, cat.category),
            "fit_before": _num(cat.fit.before, 2),
            "fit_after": _num(cat.fit.after, 2),
            "fit_change": _signed(cat.fit.change, 2),
            "eligibility_before": states.get(cat.eligibility_before, cat.eligibility_before),
            "eligibility_after": states.get(cat.eligibility_after, cat.eligibility_after),
            "eligibility_changed": cat.eligibility_changed,
        }
        for cat in c.categories_changed
    ]
    answers = []
    for qid in c.answers_changed:
        question = _question_or_none(q, qid) or _question_or_none(a0.questionnaire, qid)
        ans0, ans1 = a0.sheet.answers.get(qid), a1.sheet.answers.get(qid)
        r0, r1 = a0.questions.get(qid), a1.questions.get(qid)
        answers.append(
            {
                "id": qid,
                "text": qid if question is None else question.text.of(lang),
                "before": _answer_or_value(question, ans0, lang),
                "after": _answer_or_value(question, ans1, lang),
                "score_before": "—" if r0 is None or r0.score is None else f"{r0.score:.2f}",
                "score_after": "—" if r1 is None or r1.score is None else f"{r1.score:.2f}",
                "note": "" if ans1 is None or ans1.note is None else ans1.note,
            }
        )
    e = a1.enterprise
    header_rows = [
        (t["enterprise"], e.name),
        (t["credit_code"], e.credit_code or "—"),
        (t["region"], e.region or "—"),
        (t["industry"], e.industry or "—"),
        (t["period"], f"{d0} → {d1}"),
    ]
    lv0, lv1 = a0.level, a1.level
    metadata = _metadata(a1, lang)
    if a0.questionnaire_hash != a1.questionnaire_hash:
        metadata.insert(
            3, (t["questionnaire_version"] + " (T0)", f"{a0.questionnaire_version} · {a0.questionnaire_hash}")
        )
    return {
        "header": {"name": e.name, "rows": header_rows},
        "subtitle": t["subtitle"].format(questionnaire=q.title.of(lang)),
        "overall_before": _num(c.overall.before),
        "overall_after": _num(c.overall.after),
        "overall_change": _signed(c.overall.change),
        "overall_direction": "up"
        if (c.overall.change or 0) > 0.05
        else "down"
        if (c.overall.change or 0) < -0.05
        else "same",
        "level_before": f"L{lv0.number} {lv0.name.of(lang)}",
        "level_after": f"L{lv1.number} {lv1.name.of(lang)}",
        "level_change": f"{c.level_change:+d}" if c.level_change else "±0",
        "ladder": _markup(
            _svg.ladder(
                _levels(a1, lang),
                lv1.number,
                target=None if lv1.number >= top else target,
                previous=lv0.number,
                here="T1",
                before_label="T0",
                title=t["level_ladder"],
            )
        ),
        "radar": radar,
        "radar_note": t["progress_radar_note"].format(target=target),
        "dimension_rows": dims,
        "categories": categories,
        "answers": answers,
        "notes": [
            t.get(f"note_{n.code}", n.message)
            + (f" ({n.expected} → {n.got})" if n.expected is not None else "")
            for n in c.notes
        ],
        "metadata": metadata,
        "disclaimer": t["disclaimer"],
        "date_before": d0,
        "date_after": d1,
    }


def _answer_or_value(question: Question | None, answer: Answer | None, lang: str) -> str:
    if answer is None:
        return UI[lang]["not_answered"]
    if answer.not_applicable:
        return UI[lang]["na"]
    return _value_text(question, answer.value, lang)

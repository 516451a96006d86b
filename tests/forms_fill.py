"""Random fillings for the form round-trip tests: what a person would enter, and what it should give.

A *plan* holds a value for every field of the form (profile and every question,
skipped or not), in the form's own representation.  The form tool fills only
what it shows; :func:`direct_answers` derives, independently of the importers,
the answer sheet those same answers give when the questions are asked in order
and our engine decides which are relevant.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np

import yzmaturity as yz
from yzmaturity._compile import EvalContext
from yzmaturity._encode import Encoder
from yzmaturity._profile import credit_code_check_char

JS_DIR = Path(__file__).resolve().parent / "js"
NODE = shutil.which("node") or ("/usr/bin/node" if Path("/usr/bin/node").is_file() else None)
INDUSTRIES = ["C34", "C3670", "C13", "C43", "C33", "C40", "C3512", "I65", "A01", "G59", "C2610"]
REGIONS = ["江都区", "邗江区", "广陵区", "上海市"]


def credit_code(rng: random.Random, yangzhou: bool) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    head = "91" + ("321012" if yangzhou else "310115") + "".join(rng.choice(alphabet) for _ in range(9))
    return head + credit_code_check_char(head)


def random_plan(q: yz.Questionnaire, rng: random.Random) -> dict[str, Any]:
    """Values for every field, as a person would enter them in the form (SurveyJS representation)."""
    v: dict[str, Any] = {"enterprise_name": f"扬州测试{rng.randrange(10**6)}有限公司"}
    if rng.random() < 0.6:
        v["enterprise_credit_code"] = credit_code(rng, rng.random() < 0.5)
    if rng.random() < 0.7:
        v["enterprise_region"] = rng.choice(REGIONS)
    if rng.random() < 0.85:
        v["enterprise_industry"] = rng.choice(INDUSTRIES)
    if rng.random() < 0.85:
        v["enterprise_employees"] = rng.choice([5, 50, 150, 300, 400, 999, 1000, 1500, 2000, 2500])
    if rng.random() < 0.85:
        v["enterprise_revenue_yuan"] = rng.choice([1e6, 3e6, 5e6, 2e7, 3e7, 4e8, 5e8])
    v["enterprise_roles"] = rng.sample(
        ["manufacturer", "equipment_maker", "solution_provider"], rng.randint(0, 2)
    )
    if rng.random() < 0.7:
        v["enterprise_rnd"] = rng.random() < 0.5
    v["enterprise_diagnosed"] = rng.random() < 0.5
    if rng.random() < 0.6:
        v["enterprise_planned_investment_yuan"] = rng.choice([0, 500000, 3e6])
    if rng.random() < 0.5:
        v["enterprise_years_operating"] = rng.randint(0, 40)
    certs = _offered_certifications(q)
    if certs and rng.random() < 0.6:
        v["enterprise_certifications"] = rng.sample(certs, rng.randint(1, len(certs)))
    for qq in q.questions:
        if qq.allow_na and rng.random() < 0.25:
            v[qq.id + "__na"] = True
        if not qq.required and rng.random() < 0.25:
            continue
        v[qq.id] = _random_value(qq, rng)
    return v


def _offered_certifications(q: yz.Questionnaire) -> list[str]:
    from yzmaturity._forms.common import certification_choices

    return certification_choices(q)


def _random_value(qq: yz.Question, rng: random.Random) -> Any:
    if qq.type == "single_choice":
        return rng.choice(qq.options).id
    if qq.type == "multiple_choice":
        exclusive = [o.id for o in qq.options if o.exclusive]
        if exclusive and rng.random() < 0.2:
            return [rng.choice(exclusive)]
        others = [o.id for o in qq.options if not o.exclusive]
        return rng.sample(others, rng.randint(1, len(others)))
    if qq.type == "yes_no":
        return rng.random() < 0.5
    if qq.type == "numeric":
        edges = [b.min for b in qq.bands]
        lo = qq.min if qq.min is not None else 0.0
        hi = qq.max if qq.max is not None else max(edges) * 2 + 10
        candidates = [e for e in edges if lo <= e <= hi] + [round(rng.uniform(lo, hi), 1), lo, hi]
        return float(rng.choice(candidates)) if rng.random() < 0.3 else int(rng.uniform(lo, hi))
    return rng.randint(int(qq.min or 0), int(qq.max or 0))


def direct_answers(q: yz.Questionnaire, plan: dict[str, Any]) -> tuple[yz.Enterprise, dict[str, Any]]:
    """The profile and the answers a plan gives when asked in order, relevance decided by our engine."""
    profile = {k[len("enterprise_") :]: val for k, val in plan.items() if k.startswith("enterprise_")}
    ent = yz.Enterprise.model_validate(profile)
    cq = q.compiled()
    encoder = Encoder(cq)
    answers: dict[str, Any] = {}
    for qq in q.questions:
        if qq.relevant is not None:
            sheet = yz.AnswerSheet(questionnaire=q.id, enterprise=ent, answers=answers)
            matrix = encoder.sheets([sheet])
            ctx = EvalContext(cq, matrix.codes, matrix.na, matrix.profile)
            if not bool(cq.relevance_mask(ctx)[0, cq.index[qq.id]]):
                continue
        if plan.get(qq.id + "__na") is True:
            answers[qq.id] = "n/a"
        elif qq.id in plan:
            answers[qq.id] = plan[qq.id]
    return ent, answers


def run_node(
    survey: dict[str, Any], plans: list[dict[str, Any]], locale: str | None = None
) -> dict[str, Any]:
    """Fill the survey with SurveyJS's own engine under node (tests/js/fill.js)."""
    payload = {"survey": survey, "plans": [{"values": p, "locale": locale} for p in plans]}
    proc = subprocess.run(
        [str(NODE), str(JS_DIR / "fill.js")],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"node failed: {proc.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def relevance_warnings(q: yz.Questionnaire, sheet: yz.AnswerSheet) -> list[str]:
    matrix = Encoder(q.compiled()).sheets([sheet])
    # Other warnings (an answer contradicting the profile ...) are the random plans' own business.
    return [str(w) for w in matrix.warnings.get(0, []) if w.code == "not_relevant"]


def same_assessment(a: yz.Assessment, b: yz.Assessment) -> bool:
    if a.level.number != b.level.number or not np.isclose(a.overall, b.overall):
        return False
    scores = [(a.dimensions[d].score, b.dimensions[d].score) for d in a.dimensions]
    return all(
        (x is None and y is None) or (x is not None and y is not None and np.isclose(x, y)) for x, y in scores
    )

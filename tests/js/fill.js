// Fill a SurveyJS survey as a person would, with SurveyJS's own engine (survey-core).
// stdin: {"survey": <survey JSON>, "plans": [{"values": {name: value}}, ...]}
// For each plan: page by page, every question *visible at that moment* whose name the
// plan holds gets the planned value (later questions appear or hide as answers change);
// then "Next" and finally "Complete" (SurveyJS validates each page).
// stdout: {"jsonErrors": [...], "results": [{"completed", "data", "visible", "errors"}]}
"use strict";
const Survey = require("survey-core");
let defaultLocale = "";

function readStdin() {
  return new Promise((resolve) => {
    const chunks = [];
    process.stdin.on("data", (c) => chunks.push(c));
    process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}

function fill(survey, plan) {
  // A fresh start for each person: empty data (defaults back), first page.
  survey.clear(true, true);
  survey.locale = plan.locale || defaultLocale;
  const errors = [];
  let guard = 0;
  while (survey.state === "running" && guard++ < 1000) {
    const page = survey.currentPage;
    for (const question of page.questions) {
      if (!question.isVisible) continue;
      if (Object.prototype.hasOwnProperty.call(plan.values, question.name)) {
        question.value = plan.values[question.name];
      }
    }
    if (survey.isLastPage) {
      var visible = survey.getAllQuestions(true).map((q) => q.name);
      if (!survey.completeLastPage()) {
        errors.push(...page.questions.filter((q) => q.errors.length).map((q) => [q.name, q.errors.map((e) => e.getText())]));
        break;
      }
      return { completed: true, data: JSON.parse(JSON.stringify(survey.data)), visible: visible, errors: errors };
    }
    if (!survey.nextPage()) {
      errors.push(...page.questions.filter((q) => q.errors.length).map((q) => [q.name, q.errors.map((e) => e.getText())]));
      break;
    }
  }
  return { completed: false, data: JSON.parse(JSON.stringify(survey.data)), visible: [], errors: errors };
}

readStdin().then((text) => {
  const input = JSON.parse(text);
  const probe = new Survey.Model(input.survey);
  const jsonErrors = (probe.jsonErrors || []).map((e) => String(e.message || e));
  const survey = new Survey.Model(input.survey);
  defaultLocale = survey.locale;
  // No DOM under node: nothing to focus or scroll to when a page has errors.
  survey.focusOnFirstError = false;
  survey.onScrollToTop.add((_, options) => { options.cancel = true; });
  const results = input.plans.map((plan) => fill(survey, plan));
  process.stdout.write(JSON.stringify({ jsonErrors: jsonErrors, version: Survey.Version, results: results }));
});

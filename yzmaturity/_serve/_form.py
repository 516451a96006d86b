"""The service's fill-in form: the offline page of the forms (SurveyJS inlined), posting to the API.

The page is :func:`yzmaturity._forms.page.form_html` with one more script: on
"Complete" it posts what the page would save (``format: yzmaturity-surveyjs``)
to ``POST /api/assessments`` and opens the report of the stored assessment in
the language the form was filled in.  A ``401`` asks for the service's token
(kept for the browser tab only); a ``422`` lists the problems and leaves the
answers in place to be corrected.
"""

from __future__ import annotations

import functools

from .._forms.page import form_html
from .._loading import load_questionnaire

__all__ = ["SUBMIT_SCRIPT", "service_form_html"]

SUBMIT_SCRIPT = """<script>
(function () {
  "use strict";
  var survey = window.yzSurvey;
  var META = JSON.parse(document.getElementById("yz-meta").textContent);
  var TEXT = {
    "zh-cn": { sending: "正在提交……", token: "请输入服务的访问令牌：", failed: "提交失败：" },
    "en": { sending: "Submitting...", token: "The service's access token:", failed: "Not accepted: " }
  };
  function t(key) { return (TEXT[survey.locale || "en"] || TEXT.en)[key]; }
  function status(text) { document.getElementById("yz-status").textContent = text; }
  function lang() { return (survey.locale || "en") === "en" ? "en" : "zh"; }  // "" is SurveyJS's default, en
  function submit() {
    var headers = { "Content-Type": "application/json" };
    var token = sessionStorage.getItem("yz-token");
    if (token) { headers.Authorization = "Bearer " + token; }
    var body = { format: "yzmaturity-surveyjs", questionnaire: META.questionnaire,
                 questionnaire_version: META.questionnaire_version, locale: survey.locale || "en",
                 complete: true, data: survey.data };
    status(t("sending"));
    fetch("/api/assessments", { method: "POST", headers: headers, body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (b) { return { code: r.status, body: b }; }); })
      .then(function (res) {
        if (res.code === 201) {
          window.location.assign("/api/assessments/" + encodeURIComponent(res.body.id) + "/report?lang=" + lang());
          return;
        }
        if (res.code === 401) {
          var given = window.prompt(t("token"));
          if (given) { sessionStorage.setItem("yz-token", given); submit(); return; }
        }
        survey.clear(false, true);  // back to the form, answers kept
        var details = (res.body.detail || []).map(function (d) {
          return (d.loc || []).join(".") + " " + d.message;
        });
        status(t("failed") + (res.body.title || res.code) + (details.length ? ": " + details.join("; ") : ""));
      })
      .catch(function (e) { survey.clear(false, true); status(t("failed") + e); });
  }
  survey.onComplete.clear();  // the offline page saves a file on completion: here, the API stores it
  survey.onComplete.add(submit);
  window.yzSubmit = submit;
})();
</script>
"""


@functools.lru_cache(maxsize=8)
def service_form_html(questionnaire_id: str, lang: str) -> str:
    """The fill-in page of a built-in questionnaire that submits to this service (cached: about 2 MB)."""
    page = form_html(load_questionnaire(questionnaire_id), lang)
    end = page.rfind("</body>")
    return page[:end] + SUBMIT_SCRIPT + page[end:]

"""Form tools: SurveyJS and XLSForm (ODK, KoboToolbox) exports, their imports, and an offline page."""

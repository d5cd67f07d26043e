"""The surveys URL table: residents' answer pages and posters, then the staff builder, results and outcomes."""

from flask import Blueprint

from engagement.surveys.views import public, results, staff, translations

bp = Blueprint("surveys", __name__)

# Residents: finding and answering a survey, confirming by email, posters and QR codes
bp.add_url_rule("/surveys", "survey_list", public.survey_list)
bp.add_url_rule("/s/<code>", "short_link", public.short_link)
bp.add_url_rule("/surveys/<int:survey_id>", "answer", public.answer, methods=["GET", "POST"])
bp.add_url_rule("/surveys/<int:survey_id>/thanks", "thanks", public.thanks)
bp.add_url_rule("/surveys/<int:survey_id>/check-email", "check_email", public.check_email)
bp.add_url_rule("/surveys/confirm/<token>", "verify", public.verify, methods=["GET", "POST"])
bp.add_url_rule("/surveys/<int:survey_id>/poster", "poster", public.poster)
bp.add_url_rule("/surveys/<int:survey_id>/qr.svg", "qr_code", public.qr_code)

# Staff: the list, a survey's settings, and its buttons
bp.add_url_rule("/staff/surveys", "staff_surveys", staff.staff_surveys)
bp.add_url_rule("/staff/surveys/new", "survey_new", staff.survey_new, methods=["GET", "POST"])
bp.add_url_rule("/staff/surveys/<int:survey_id>", "staff_survey", staff.staff_survey)
bp.add_url_rule("/staff/surveys/<int:survey_id>/edit", "survey_edit", staff.survey_edit, methods=["GET", "POST"])
bp.add_url_rule("/staff/surveys/<int:survey_id>/publish", "survey_publish", staff.survey_publish, methods=["POST"])
bp.add_url_rule("/staff/surveys/<int:survey_id>/close", "survey_close", staff.survey_close, methods=["POST"])
bp.add_url_rule("/staff/surveys/<int:survey_id>/copy", "survey_copy", staff.survey_copy, methods=["POST"])
bp.add_url_rule("/staff/surveys/<int:survey_id>/delete", "survey_delete", staff.survey_delete, methods=["GET", "POST"])
bp.add_url_rule("/staff/surveys/<int:survey_id>/translations/<language>", "survey_translation",
                translations.survey_translation, methods=["GET", "POST"])  # fmt: skip

# Staff: questions
QUESTION = "/staff/surveys/<int:survey_id>/questions/<int:question_id>"
bp.add_url_rule("/staff/surveys/<int:survey_id>/questions/new", "question_new", staff.question_new,
                methods=["GET", "POST"])  # fmt: skip
bp.add_url_rule(f"{QUESTION}/edit", "question_edit", staff.question_edit, methods=["GET", "POST"])
bp.add_url_rule(f"{QUESTION}/move", "question_move", staff.question_move, methods=["POST"])
bp.add_url_rule(f"{QUESTION}/delete", "question_delete", staff.question_delete, methods=["GET", "POST"])

# Staff: results and exports
bp.add_url_rule("/staff/surveys/<int:survey_id>/results", "survey_results", results.survey_results)
bp.add_url_rule("/staff/surveys/<int:survey_id>/results/<int:question_id>", "text_answers", results.text_answers)
bp.add_url_rule("/staff/surveys/<int:survey_id>/responses.csv", "export_csv", results.export_csv)
bp.add_url_rule("/staff/surveys/<int:survey_id>/responses.xlsx", "export_xlsx", results.export_xlsx)
bp.add_url_rule("/staff/surveys/<int:survey_id>/summary.csv", "export_summary", results.export_summary)

# Staff: "You said, we did"
bp.add_url_rule("/staff/surveys/<int:survey_id>/outcome", "outcome_edit", results.outcome_edit, methods=["GET", "POST"])
bp.add_url_rule("/staff/surveys/<int:survey_id>/outcome/unpublish", "outcome_unpublish", results.outcome_unpublish,
                methods=["POST"])  # fmt: skip
bp.add_url_rule("/staff/surveys/<int:survey_id>/outcome/news", "outcome_news", results.outcome_news, methods=["POST"])

"""Error codes of the surveys app; the API exposes them as the GraphQL enum SurveyErrorCode."""

from enum import StrEnum


class SurveyErrorCode(StrEnum):
    NOT_AUTHENTICATED = "NOT_AUTHENTICATED"
    NOT_FOUND = "NOT_FOUND"  # no such survey, or one the person may not see
    NOT_OPEN = "NOT_OPEN"  # before its opening time (or a draft)
    CLOSED = "CLOSED"  # after its closing time
    NOT_IN_AUDIENCE = "NOT_IN_AUDIENCE"
    UNIT_REQUIRED = "UNIT_REQUIRED"  # a per-unit survey, and the person holds several units in its audience
    UNIT_INVALID = "UNIT_INVALID"  # a unit the person does not answer for
    ALREADY_ANSWERED = "ALREADY_ANSWERED"  # this person, or someone for this unit, answered already
    NOT_ANSWERED = "NOT_ANSWERED"  # changing an answer that was never given
    CHANGE_NOT_ALLOWED = "CHANGE_NOT_ALLOWED"  # the survey keeps the first answer
    ANSWER_REQUIRED = "ANSWER_REQUIRED"  # a required question left unanswered
    CHOICE_INVALID = "CHOICE_INVALID"  # a choice that is not one of the question's
    VALUE_INVALID = "VALUE_INVALID"  # a scale or yes/no value out of range, text too long
    QUESTION_INVALID = "QUESTION_INVALID"  # an answer to a question that is not the survey's
    SURVEY_INVALID = "SURVEY_INVALID"  # a survey whose settings contradict each other

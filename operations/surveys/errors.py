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
    FORBIDDEN = "FORBIDDEN"  # staff's action without the permission for it


class ResolutionErrorCode(StrEnum):
    NOT_AUTHENTICATED = "NOT_AUTHENTICATED"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    NOT_OPEN = "NOT_OPEN"  # voting has not started (or the resolution is a draft)
    CLOSED = "CLOSED"  # voting has ended
    NOT_ENTITLED = "NOT_ENTITLED"  # the person casts no seat's vote in this resolution
    ALREADY_VOTED = "ALREADY_VOTED"  # and the resolution keeps the first vote
    CHOICE_INVALID = "CHOICE_INVALID"  # not for, against or abstain
    SEAT_INVALID = "SEAT_INVALID"  # a seat of another resolution
    BALLOT_REQUIRED = "BALLOT_REQUIRED"  # a paper vote needs its ballot's scan
    VOTER_REQUIRED = "VOTER_REQUIRED"  # and the name signed on it
    DATE_INVALID = "DATE_INVALID"  # a ballot signed outside the voting window or in the future
    STATE_INVALID = "STATE_INVALID"  # scheduling what is not a draft, opening what is not scheduled
    ELECTORATE_EMPTY = "ELECTORATE_EMPTY"  # nobody would vote: no units, no shares, no members
    PROXY_INVALID = "PROXY_INVALID"  # a proxy for a seat of a closed resolution

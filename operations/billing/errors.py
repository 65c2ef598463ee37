"""Error codes of the billing app (the API will expose them as BillingErrorCode)."""

from enum import StrEnum


class BillingErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    CREATOR_REQUIRED = "CREATOR_REQUIRED"  # an entry needs a person or a process that posts it
    UNIT_INVALID = "UNIT_INVALID"
    PAYER_REQUIRED = "PAYER_REQUIRED"
    MEMBER_INVALID = "MEMBER_INVALID"  # a named member who holds no live membership of the unit
    IDENTIFIER_TAKEN = "IDENTIFIER_TAKEN"
    IDENTIFIER_INVALID = "IDENTIFIER_INVALID"  # does not fit the account number's digits
    ACCOUNT_NUMBER_INVALID = "ACCOUNT_NUMBER_INVALID"  # settlement number or prefix misconfigured
    ACCOUNT_CLOSED = "ACCOUNT_CLOSED"
    DATE_INVALID = "DATE_INVALID"
    KIND_INVALID = "KIND_INVALID"
    COMPONENT_INVALID = "COMPONENT_INVALID"
    AMOUNT_INVALID = "AMOUNT_INVALID"
    CORRECTION_INVALID = "CORRECTION_INVALID"  # no entry to correct, another account's, or a correction
    CORRECTION_TOO_LARGE = "CORRECTION_TOO_LARGE"  # would make the corrected entry count for less than nothing
    DESIGNATION_INVALID = "DESIGNATION_INVALID"  # a designated entry that is not a debt of this account
    SOURCE_CONFLICT = "SOURCE_CONFLICT"  # the source reference names a different entry already
    RATE_MISSING = "RATE_MISSING"  # no interest rate known for a day of the delay
    STATEMENT_INVALID = "STATEMENT_INVALID"  # a statement file that cannot be read (the message names the line)
    PROFILE_INVALID = "PROFILE_INVALID"  # no statement profile of that name
    TRANSACTION_STATE_INVALID = "TRANSACTION_STATE_INVALID"  # a bank line that is not waiting in the queue
    NOTHING_TO_DEMAND = "NOTHING_TO_DEMAND"  # documents: no overdue debt (a demand) or no interest (a note)
    DOCUMENT_RENDER_FAILED = "DOCUMENT_RENDER_FAILED"  # documents: the PDF could not be typeset
    NOT_AUTHENTICATED = "NOT_AUTHENTICATED"  # consents: nobody is signed in
    INSTALLMENT_NOT_REQUESTED = "INSTALLMENT_NOT_REQUESTED"  # a note for an installment request not being made
    NOTE_TOO_LONG = "NOTE_TOO_LONG"  # an installment request's note over its length
    IMPORT_FILE_INVALID = "IMPORT_FILE_INVALID"  # a charge file that cannot be read (the message names the line)
    IMPORT_STATE_INVALID = "IMPORT_STATE_INVALID"  # a charge import not waiting for what was asked (confirm, reverse)
    IMPORT_REVERSED = "IMPORT_REVERSED"  # a charge import reversed already

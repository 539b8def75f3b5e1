"""The rules a request can break although it matches the OpenAPI document.

JSON Schema states types, formats, lengths, patterns, enums and nullability, and the
document states all of those. It cannot state a check character, a reference to a row that
must exist, an order between two fields, a rule that depends on today or on who calls, or a
cursor the service issued. A request refused for one of those is answered 422 with one of
the codes below in ``errors[].code``; the document lists them (``FieldError.code``, and its
``x-rules-beyond-the-schema`` extension for tools), so that a tester generating requests from
the schema knows every refusal that is not a schema violation. Any other 422 code is a
schema violation (Pydantic's codes: ``missing``, ``string_too_short``…).

The project's schemathesis run holds the service to this list: a schema-valid request
refused with a code that is not here fails it (tests/api/test_schemathesis.py).
"""

from __future__ import annotations

RULES_BEYOND_THE_SCHEMA: dict[str, str] = {
    # Identifiers and text
    "invalid_check_digit": "a resident ID (GB 11643) or credit code (GB 32100) whose check "
    "character does not match",
    "invalid_length": "an identity number of the wrong length for its id_type (18 for a "
    "resident ID or credit code)",
    "invalid_passport": "a passport number that is not 5–17 letters or digits (id_type passport)",
    "invalid_birth_date": "a resident ID whose birth date is not a real day, before 1900 or "
    "in the future",
    "invalid_characters": "text with a NUL character, which no database stores",
    "too_short_once_trimmed": "text long enough as sent but shorter than its minimum once "
    "surrounding spaces are removed",
    "invalid_cursor": "a cursor this list did not issue, or issued for other filters",
    "idempotency_key_reused": "an Idempotency-Key already used with a different request",
    "unsafe_webhook_url": "a webhook address that resolves to a private, loopback or "
    "link-local network",
    # References to what must exist
    "unknown_agency": "no such active agency",
    "unknown_lawyer": "no such active lawyer",
    "unknown_business_system": "no agency belongs to this business system",
    "not_assigned": "outcome hours for a lawyer not assigned to the case",
    "unknown_region_code": "a six-digit code that is not one of Liaocheng's divisions",
    "region_level_mismatch": "an agency's level does not fit its division",
    "respondent_not_administrative_organ": "the respondent is not an administrative organ (Art. 5)",
    # Orders and bounds between fields
    "period_reversed": "a period that ends before it starts",
    "period_too_long": "a period longer than the policy allows",
    "min_above_max": "a minimum above its maximum",
    "year_order": "a target year not after the source year",
    "not_in_year": "a calendar date outside the year it is given for",
    "duplicate_date": "a calendar date listed twice",
    "not_a_weekend": "a make-up working day that is not a Saturday or Sunday",
    "holiday_and_working_day": "a day listed both as a holiday and as a working day",
    "known_before_made": "known_on before made_on",
    "due_before_applied": "performance_due_on before applied_on",
    "received_before_decided": "decision_received_on before decided_on",
    # Rules that depend on today, on the case or on the caller
    "in_future": "a time or day after now",
    "out_of_range": "a day outside the span the case allows (e.g. concluded_on between the "
    "day the case came in and today)",
    "expires_in_past": "an expiry day before today",
    "year_out_of_range": "a year outside the window open today (pool nominations: this year "
    "and the next)",
    "year_change": "a change that would move a case into another year (its number)",
    "required": "a field required for this caller or this kind of request (e.g. "
    "intake_agency_id when the center takes a case in)",
    "invalid_role": "a role an API key cannot have (lawyers sign in personally)",
    "agreement_required": "a reconciliation or mediation without its agreement",
    "referral_required": "a referral outcome without where the applicant was guided",
    "referral_note_required": "a referral classification without its note",
    "note_required": "the reason `other` without a note",
    "reason_without_lawyer": "an override reason without a named lawyer",
    "set_by_classification": "a field only classification sets",
    "duplicate_lawyer": "a lawyer listed twice on one activity",
    "lawyer_not_of_agency": "an activity credited to a lawyer of another agency than the "
    "recording one (only the center records for any lawyer)",
    "out_of_scope": "an honour for a lawyer or agency outside the organizer's division",
    "not_nominated": "a decision on a case not nominated in the selection's window",
    "summary_not_deidentified": "a typical case's title or summary that names an applicant, "
    "carries an applicant's identity or phone number, or anything shaped like one",
    "not_for_kind": "a fact that does not fit the activity's kind (a mediation role on "
    "anything but administrative_mediation)",
}


def code_description() -> str:
    """``FieldError.code``'s description in the document: what each rule code means."""
    lines = [
        "Stable snake_case code. A schema violation carries Pydantic's code (`missing`, "
        "`string_too_short`…); a request that matches the schema can still break one of "
        "these rules, which the schema cannot state:",
        "",
    ]
    lines += [f"- `{code}`: {meaning}" for code, meaning in RULES_BEYOND_THE_SCHEMA.items()]
    return "\n".join(lines)

"""Masking everywhere (SPEC 4.3): every free-text field of every response schema masks
identity-number- and phone-shaped text, whoever fills it. The fields are found from the
schemas themselves (every model a route answers with, and everything nested in it), so a
field or a schema added later is covered without touching this file."""

from __future__ import annotations

import types
import typing
from typing import Any, Union, get_args, get_origin

import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel

from app.domain.common.schema import NOT_FREE_TEXT, OutputModel, holds_text, mask_free_value
from app.main import create_app
from tests.support.databases import test_settings as settings_for

PHONE = "13800138000"
RESIDENT_ID = "371502199001011234"
FIXED_LINE = "0635-8888888"
SAMPLE = f"申请人电话{PHONE}，身份证号{RESIDENT_ID}，座机{FIXED_LINE}。"
MASKED = ("138****8000", "3715**********1234", "0635-***8888")
# Response models that are not OutputModels, and why.
NOT_OUTPUT_MODELS = {
    "Problem": "error bodies: masked where they are built (app/api/problems.py)",
    "FieldError": "part of Problem",
    "ExternalRef": "another system's reference to its record (a code and its identifier), "
    "shown as that system sent it so that it can find its record",
}

_app = create_app(settings_for("sqlite+aiosqlite:///:memory:"))


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _models_in(arg)]


def _api_routes(routes: list[Any]) -> list[APIRoute]:
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif getattr(route, "original_router", None) is not None:  # an included router
            found.extend(_api_routes(route.original_router.routes))
    return found


def _response_models() -> dict[str, type[BaseModel]]:
    """Every model that a route answers with, and every model nested in one."""
    found: dict[str, type[BaseModel]] = {}
    pending = [
        model
        for route in _api_routes(_app.routes)
        if route.response_model is not None
        for model in _models_in(route.response_model)
    ]
    while pending:
        model = pending.pop()
        if model.__name__ in found:
            continue
        found[model.__name__] = model
        for field in model.model_fields.values():
            pending.extend(_models_in(field.annotation))
    return found


RESPONSE_MODELS = _response_models()


def _sample(annotation: Any) -> Any:
    """A value of the field's shape with the numbers in every string."""
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        return _sample(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return _sample(next(a for a in get_args(annotation) if holds_text(a)))
    if origin in (list, tuple, set, frozenset):
        return [_sample(get_args(annotation)[0] if get_args(annotation) else str)]
    if origin is dict or annotation is dict:
        return {"note": SAMPLE, "nested": [{"minutes": SAMPLE}], "count": 1}
    return SAMPLE


def _free_text_fields() -> list[tuple[str, str, Any]]:
    return [
        (model.__name__, name, field.annotation)
        for model in RESPONSE_MODELS.values()
        if model.__name__ not in NOT_OUTPUT_MODELS
        for name, field in model.model_fields.items()
        if name not in NOT_FREE_TEXT and holds_text(field.annotation)
    ]


FREE_TEXT_FIELDS = _free_text_fields()


def test_the_schemas_were_found():
    # Guards the generation itself: the core schemas and their free text are in the lists.
    assert {"CaseOut", "OutcomeOut", "AssignmentOut", "AuditRecordOut"} <= set(RESPONSE_MODELS)
    fields = {(model, name) for model, name, _ in FREE_TEXT_FIELDS}
    assert {
        ("CaseOut", "facts"),
        ("OutcomeOut", "summary"),
        ("OutcomeOut", "sessions"),
        ("ApplicantOut", "address"),
        ("AssignmentOut", "decline_note"),
        ("CaseOut", "related_procedures"),
        ("CaseEventOut", "data"),
    } <= fields


@pytest.mark.parametrize("name", sorted(RESPONSE_MODELS))
def test_every_response_schema_masks_centrally(name):
    model = RESPONSE_MODELS[name]
    assert issubclass(model, OutputModel) or name in NOT_OUTPUT_MODELS, (
        f"{name} answers requests but is not an OutputModel: its free text would not be masked"
    )


@pytest.mark.parametrize(
    ("model_name", "field", "annotation"),
    FREE_TEXT_FIELDS,
    ids=[f"{m}.{f}" for m, f, _ in FREE_TEXT_FIELDS],
)
def test_every_free_text_field_is_masked(model_name, field, annotation):
    model = RESPONSE_MODELS[model_name]
    assert issubclass(model, OutputModel), f"{model_name} is not an OutputModel"
    shown = model.model_construct(**{field: _sample(annotation)}).model_dump_json()
    for clear in (PHONE, RESIDENT_ID, FIXED_LINE):
        assert clear not in shown, f"{model_name}.{field}: {shown}"
    for masked in MASKED:
        assert masked in shown, f"{model_name}.{field}: {shown}"


def test_identifiers_and_codes_pass_untouched():
    uuid_with_a_phone_shape = "0190abcd-a138-1234-5678-abcdef012345"
    assert mask_free_value(uuid_with_a_phone_shape) == uuid_with_a_phone_shape
    assert mask_free_value({"case_id": uuid_with_a_phone_shape, "hash": "1" * 18}) == {
        "case_id": uuid_with_a_phone_shape,
        "hash": "1" * 18,
    }
    assert mask_free_value({"note": [PHONE]}) == {"note": ["138****8000"]}
    assert mask_free_value(5) == 5


def test_masking_does_not_change_the_documented_schemas():
    # The serializer is invisible in the OpenAPI document: each output schema still lists
    # its own fields (an annotated serializer would have replaced them by "any").
    document = _app.openapi()["components"]["schemas"]
    for name in ("CaseOut", "OutcomeOut", "AgencyOut", "EnumEntry"):
        assert document[name]["properties"], name


def test_a_signing_secret_is_shown_as_made():
    # Base64 that holds an 18-character run passing for a credit code (check character
    # included): about one secret in 10,000. Masked, it would sign nothing the receiver can
    # verify, and it is shown only once.
    secret = "whsec_LXJgu78lakPR259d57+JHWvHUA6cSO3xvGRQ75LFjcE="
    assert mask_free_value(secret) != secret  # as free text it would be masked
    shown = RESPONSE_MODELS["WebhookCreated"].model_construct(secret=secret)
    assert shown.model_dump()["secret"] == secret

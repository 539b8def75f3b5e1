"""Base classes for request and response schemas."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from types import UnionType
from typing import Annotated, Any, ClassVar, Union, cast, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
)
from pydantic_core import PydanticCustomError

from app.domain.common.identifiers import (
    InvalidIdentifier,
    normalize_credit_code,
    normalize_phone,
)
from app.domain.common.masking import mask_sensitive_text

# A date or a time is a JSON string (``format: date``/``date-time``); Pydantic's lax mode
# would also read the number 0 as 1970-01-01.
_JSON_NAMES = {
    bool: "boolean",
    int: "integer",
    float: "number",
    date: "string",
    datetime: "string",
}


def _json_scalar(annotation: Any) -> type | None:
    """``bool``, ``int``, ``float``, ``date`` or ``datetime`` for such a field (optional or
    not), else None."""
    if annotation in _JSON_NAMES:
        return cast(type, annotation)
    if isinstance(annotation, UnionType) or get_origin(annotation) is Union:
        kinds = {_json_scalar(a) for a in get_args(annotation) if a is not type(None)}
        return kinds.pop() if len(kinds) == 1 else None
    return None


def _sent_as(kind: type, value: Any) -> bool:
    if value is None:
        return True  # whether null is allowed is the field's own rule
    if kind is bool:
        return isinstance(value, bool)
    if kind is date or kind is datetime:
        return isinstance(value, str | date)  # text as sent, or a value built in code
    return isinstance(value, int | float) and not isinstance(value, bool)


class InputModel(BaseModel):
    """Request bodies: unknown fields are refused (422), so nobody can slip a ``status`` or a
    ``case_no`` through a create or update; text with a NUL character (which PostgreSQL
    cannot store) is refused naming the field; a boolean or a number must be one in JSON
    (``"1"`` is not ``true``, ``true`` is not ``1``), as the document says."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    __json_scalars__: ClassVar[dict[str, type]] = {}

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls.__json_scalars__ = {
            name: kind
            for name, field in cls.model_fields.items()
            if (kind := _json_scalar(field.annotation)) is not None
        }

    @field_validator("*", mode="wrap")
    @classmethod
    def _as_the_document_says(
        cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> Any:
        # FastAPI validates a body as Python data, where Pydantic's lax mode reads "1" as
        # true and true as 1; strict mode would also refuse the ISO text of dates and UUIDs
        # (and 7.0 for an integer, which JSON Schema allows), so the JSON types are checked
        # here, field by field.
        kind = cls.__json_scalars__.get(info.field_name or "")
        if kind is not None and not _sent_as(kind, value):
            raise PydanticCustomError(f"{kind.__name__}_type", f"send a JSON {_JSON_NAMES[kind]}")
        try:
            return handler(value)
        except ValidationError as error:
            # Surrounding spaces are trimmed before the length is checked; text long enough
            # as sent but too short once trimmed breaks a rule the schema cannot state.
            problems = error.errors()
            if isinstance(value, str) and all(p["type"] == "string_too_short" for p in problems):
                minimum = problems[0].get("ctx", {}).get("min_length", 0)
                if len(value) >= minimum:
                    raise PydanticCustomError(
                        "too_short_once_trimmed",
                        "shorter than {min_length} characters once surrounding spaces are removed",
                        {"min_length": minimum},
                    ) from None
            raise

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise PydanticCustomError("invalid_characters", "text must not contain NUL")
        if isinstance(value, list) and any(isinstance(v, str) and "\x00" in v for v in value):
            raise PydanticCustomError("invalid_characters", "text must not contain NUL")
        return value


class OutputModel(BaseModel):
    """Response bodies, built from ORM objects or plain data.

    Every free-text field is masked here, once for all schemas (SPEC 4.3): identity-number-
    and phone-shaped text in any string field, list of strings, or JSON object (at any depth)
    is masked when the model is serialised, whoever built it. Which fields count as free text
    is decided from the annotations when the class is defined, so a field added later is
    masked without anyone remembering to; only the names in ``NOT_FREE_TEXT`` (codes, machine
    identifiers, hashes, and the sealed numbers that the service masks at the source and
    reveals on request) are left alone.
    """

    model_config = ConfigDict(from_attributes=True)
    __free_text_fields__: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls.__free_text_fields__ = tuple(
            name
            for name, field in cls.model_fields.items()
            if name not in NOT_FREE_TEXT and holds_text(field.annotation)
        )

    # Masked when the value is set, not when the model is written out: a serializer on the
    # model (``mode="wrap"``) made Pydantic hand every instance to Python as a dict while
    # writing JSON, a third of a 50-case list's CPU (issue 16). Every way an instance gets
    # its values passes here: validation and ``model_construct`` call ``model_post_init``,
    # and an attribute set later goes through ``__setattr__``.
    def model_post_init(self, context: Any, /) -> None:
        values = self.__dict__
        for name in self.__free_text_fields__:
            value = values.get(name)
            if value is not None:
                values[name] = mask_free_value(value)

    def __setattr__(self, name: str, value: Any) -> None:
        if value is not None and name in self.__free_text_fields__:
            value = mask_free_value(value)
        super().__setattr__(name, value)


# Fields that are not free text, by name, in every output schema: codes and enumerations
# (the set of values is fixed), machine identifiers and digests (masking a hex digest or a
# UUID that happens to hold a phone-shaped run of digits would corrupt it), and the sealed
# personal numbers, which the service masks at the source (``*_masked`` columns) and reveals
# to the roles that may ask (``?reveal=pii``).
NOT_FREE_TEXT = frozenset(
    {
        # codes
        "action",
        "actor_role",
        "allowed_actions",
        "business_system",
        "code",
        "field",
        "keyword",
        "lexicon_version",
        "object_type",
        "outcome",
        "ranking",
        "region_code",
        "specialties",
        "type",
        # identifiers and digests
        "case_no",
        "certificate_no",
        "client_address",
        "credit_code",
        "hash",
        "key",
        "next_cursor",
        "object_id",
        "prefix",
        "prev_hash",
        "request_id",
        # credentials shown once: a webhook's signing secret (base64) can hold an 18-character
        # run that passes for a credit code, about once in 10,000 secrets
        "secret",
        # sealed personal numbers: masked at the source, revealed on request
        "id_number",
        "phone",
    }
)

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def holds_text(annotation: Any) -> bool:
    """Whether a field of this type can carry text a person typed: ``str`` (not a subclass
    such as an enumeration), containers of it, JSON objects and ``Any``."""
    if annotation is str or annotation is Any or annotation is object:
        return True
    origin = get_origin(annotation)
    if origin is Annotated:
        return holds_text(get_args(annotation)[0])
    if origin in (Union, UnionType, list, tuple, set, frozenset, dict, Mapping, Sequence):
        return any(holds_text(arg) for arg in get_args(annotation))
    return annotation is dict or annotation is list


def mask_free_value(value: Any) -> Any:
    """Mask identity- and phone-shaped text in a string, or in every string inside lists and
    JSON objects (values only; keys are the schema's own names). UUIDs pass untouched."""
    if isinstance(value, str):
        return value if _UUID.match(value) else mask_sensitive_text(value)
    if isinstance(value, list):
        return [mask_free_value(item) for item in value]
    if isinstance(value, dict):
        return {
            key: item if key in NOT_FREE_TEXT else mask_free_value(item)
            for key, item in value.items()
        }
    return value


def checked(normalize: Callable[[str], str]) -> Callable[[str], str]:
    """Wrap an identifier normaliser for use in ``AfterValidator``: its ``InvalidIdentifier``
    becomes a validation error carrying the identifier's own code (``invalid_check_digit``…)
    and never the submitted value."""

    def validate(value: str) -> str:
        try:
            return normalize(value)
        except InvalidIdentifier as exc:
            raise PydanticCustomError(exc.code, exc.message) from None

    return validate


# What the document promises for identifiers (SPEC 3: a request the schema allows is never
# refused as invalid): each pattern is the canonical form, a subset of what the service
# accepts (it also takes lower case, spaces or +86), so a client that follows the document
# is never refused for the form. A check character is beyond JSON Schema; the description
# says so.
CREDIT_CODE_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"
PHONE_PATTERN = r"^(1[3-9][0-9]{9}|0(10|2[0-9]|[3-9][0-9]{2})-[2-9][0-9]{6,7})$"

CreditCode = Annotated[
    str,
    AfterValidator(checked(normalize_credit_code)),
    Field(
        json_schema_extra={"pattern": CREDIT_CODE_PATTERN},
        description="统一社会信用代码 (GB 32100): 18 characters, the last a check character",
    ),
]
Phone = Annotated[
    str,
    AfterValidator(checked(normalize_phone)),
    Field(
        json_schema_extra={"pattern": PHONE_PATTERN},
        description="A mainland mobile (11 digits, 13x-19x) or a fixed line with its area "
        "code, e.g. 0635-8888888",
    ),
]


def not_nullable(schema: dict[str, Any]) -> None:
    """``json_schema_extra`` of a patch field that may be left out but not be null (it is
    required once set; the service refuses null naming the field): the document drops the
    ``null`` alternative, so that a client generated from it never sends one."""
    branches = [b for b in schema.get("anyOf", []) if b != {"type": "null"}]
    if len(branches) == 1 and len(schema["anyOf"]) == 2:
        del schema["anyOf"]
        schema.update(branches[0])

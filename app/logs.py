"""Structured JSON logs (structlog) for the service and every library logging through the
standard library (uvicorn, SQLAlchemy), with identity and phone numbers masked in every
line, whatever field they hide in."""

from __future__ import annotations

import logging
import sys
from typing import Any

import orjson
import structlog
from structlog.typing import EventDict, WrappedLogger

from app.domain.common.masking import mask_sensitive_text


def _mask(value: Any) -> Any:
    if isinstance(value, str):
        return mask_sensitive_text(value)
    if isinstance(value, dict):
        return {k: _mask(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask(v) for v in value]
    return value


# A request id is 32 hex characters of our own making (or a client's, checked for its
# shape), and one in ~200 of them holds a run of digits shaped like a mobile or an identity
# number: masked, the log line could no longer be matched with its response.
_IDENTIFIERS = frozenset({"request_id"})


def mask_personal_data(_logger: WrappedLogger, _name: str, event_dict: EventDict) -> EventDict:
    """Runs last before rendering, after exceptions were formatted into text, so that a
    number inside a traceback is masked too."""
    return {
        key: value if key in _IDENTIFIERS else _mask(value) for key, value in event_dict.items()
    }


def _orjson_dumps(obj: Any, **_: Any) -> str:
    return orjson.dumps(obj, default=str).decode()


def configure_logging(level: str = "INFO", *, json: bool = True) -> None:
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer(serializer=_orjson_dumps)
        if json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            mask_personal_data,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    # The service writes its own access line (route template, request id, duration).
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True

"""Schemathesis over the whole OpenAPI document, in-process, as an admin: no request the
document allows (or almost allows) makes the service fail, and every response is one the
document describes (status code, content type, body schema, headers). It grows with the
document: every operation added later is tested here too.

The operations are read at collection time from an app that is never called (it only
renders its document); the requests go to an app with its own engine on a committed
database of its own, which schemathesis drives from its own event loop thread.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, seed, settings
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import positive_data_acceptance

from app.domain.auth.tokens import mint_token
from app.domain.classification.service import warm_up as classification_warm_up
from app.main import create_app
from app.settings import Settings
from app.states.codes import Role
from tests.support.databases import test_settings as settings_for
from tests.support.scratch import scratch_database

MAX_EXAMPLES = 25
# The same examples on every run: a failure is reproducible, and no run passes by luck.
SEED = 20261205
# Every default check runs, negative data rejection included (bodies parse JSON scalars
# strictly). Positive data acceptance runs with the one refinement the document itself
# states: see `positive_data_acceptance_beyond_schema`, which replaces the built-in.
REPLACED = [positive_data_acceptance]


def _documented_rule_codes(document: dict[str, Any]) -> frozenset[str]:
    code = document["components"]["schemas"]["FieldError"]["properties"]["code"]
    return frozenset(code["x-rules-beyond-the-schema"])


def positive_data_acceptance_beyond_schema(ctx: Any, response: Any, case: Any) -> bool | None:
    """Schemathesis' positive data acceptance, except that a 422 is accepted when every
    error it names is one of the rules the document lists as beyond what JSON Schema can
    state (a check character, a row that must exist, an order between fields, today's
    window). Any other refusal of a request the schema allows still fails the run."""
    if response.status_code == 422:
        errors = response.json().get("errors") or []
        documented = _documented_rule_codes(case.operation.schema.raw_schema)
        if errors and all(error.get("code") in documented for error in errors):
            return None
    return positive_data_acceptance(ctx, response, case)


def _settings(url: str) -> Settings:
    # No periodic sweep: what the run sees must not depend on how long it takes. No periodic
    # sealer either: the document app's database (in memory) has no tables to seal.
    return settings_for(url).model_copy(
        update={
            "sweep_interval_s": 0,
            "audit_seal_interval_s": 0,
            "webhook_interval_s": 0,
            "event_relay_interval_s": 0,
        }
    )


# The app loads the classifier in a background thread at start-up, which may import numpy
# while hypothesis (in this thread) peeks at a half-imported `sys.modules["numpy"]`: load it
# here first, so that the app's thread finds everything loaded.
classification_warm_up()

# Only its OpenAPI document is used: the engine of this app never connects.
_document_app = create_app(_settings("sqlite+aiosqlite:///:memory:"))
schema = schemathesis.openapi.from_asgi("/openapi.json", _document_app)
schema.config.generation.update(max_examples=MAX_EXAMPLES)
asgi.shutdown_lifespans()  # loading the document started the app; it is not called again


@pytest.fixture(scope="module")
async def served() -> AsyncIterator[tuple[Any, dict[str, str]]]:
    """The app under test and an admin's headers."""
    async with scratch_database("schemathesis") as url:
        app_settings = _settings(url)
        app = create_app(app_settings)
        token = mint_token(app_settings, sub="schemathesis", role=Role.ADMIN)
        try:
            yield app, {"Authorization": f"Bearer {token}"}
        finally:
            # The app's lifespan and connections live in schemathesis' event loop thread.
            asgi.shutdown_lifespans()
            await app.state.db.engine.dispose()


# Schemathesis' own generators touch the global `random` (a deprecation notice, not ours).
@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")
@schema.parametrize()
@seed(SEED)
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_conforms_to_the_document(case: Any, served: Any) -> None:
    app, headers = served
    case.call_and_validate(
        app=app,
        headers=headers,
        excluded_checks=REPLACED,
        additional_checks=[positive_data_acceptance_beyond_schema],
    )

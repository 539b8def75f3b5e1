"""The dispatch tests build their world through the API (tests.support.dispatch_world)."""

import pytest

from tests.support.dispatch_world import DispatchWorld


@pytest.fixture
def world(client, auth) -> DispatchWorld:
    return DispatchWorld(client, auth)

import pytest


@pytest.fixture(autouse=True)
def _every_api_test_starts_with_fresh_rate_limits(fresh_rate_limits):
    return

import pytest
from django.db import connection

from tests.factories import AgentFactory, CarrierFactory, SupervisorFactory


def pytest_collection_modifyitems(config, items):
    """Skip what this machine cannot run, saying why; CI sets DATABASE_URL and REDIS_URL so nothing is skipped."""
    import os
    import shutil

    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql", "pgsql"))
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL"))
        if "celery_worker" in item.keywords and not os.environ.get("REDIS_URL"):
            item.add_marker(pytest.mark.skip(reason="needs Redis: set REDIS_URL"))
        if "browser" in item.keywords and not (shutil.which("chromium") and shutil.which("chromedriver")):
            item.add_marker(pytest.mark.skip(reason="needs chromium and chromedriver"))


@pytest.fixture
def agent(db):
    return AgentFactory(username="agent_wang", first_name="王", last_name="芳")


@pytest.fixture
def other_agent(db):
    return AgentFactory(username="agent_li", first_name="李", last_name="娜")


@pytest.fixture
def supervisor(db):
    return SupervisorFactory(username="supervisor_chen")


@pytest.fixture
def zto(db):
    return CarrierFactory(code="ZTO", name_zh="中通快递", name_en="ZTO Express")


@pytest.fixture
def sf(db):
    return CarrierFactory(code="SF", name_zh="顺丰速运", name_en="SF Express")


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"


# The admin as an agent and as a supervisor would use it.
@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def supervisor_client(client, supervisor):
    client.force_login(supervisor)
    return client


# Fixtures shared across folders: registered once here, never imported by a test module.
pytest_plugins = [
    "tests.fixtures.browser",
    "tests.fixtures.celery_worker",
    "tests.fixtures.evidence_storage",
    "tests.fixtures.imap_server",
    "tests.fixtures.partner_api",
    "tests.fixtures.webhook_receiver",
]

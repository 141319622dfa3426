"""The production stack as written in docker-compose.yml and the Dockerfile (no Docker engine runs in the tests)."""

from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def services() -> dict:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return compose["services"]


def command_of(service: dict) -> str:
    command = service["command"]
    return command if isinstance(command, str) else " ".join(command)


def healthcheck_of(service: dict) -> str:
    test = service["healthcheck"]["test"]
    return test if isinstance(test, str) else " ".join(test)


WORKERS = ("worker", "worker-clocks", "worker-outbox", "worker-webhooks", "worker-reports")


def test_the_stack_has_postgres_redis_web_a_worker_per_queue_and_beat(services):
    assert set(services) == {"postgres", "redis", "web", *WORKERS, "beat"}


def test_each_queue_has_a_worker_service_of_its_own(services):
    # Given the queues the settings route tasks to (CELERY_TASK_ROUTES) and the default queue
    consumed = {}
    for name in WORKERS:
        command = services[name]["command"]
        for queue in command[command.index("-Q") + 1].split(","):
            consumed.setdefault(queue, []).append(name)

    # Then every queue is consumed by exactly one service, and a routed queue by a service that consumes only it
    assert set(consumed) == set(settings.REDRESS_QUEUES)
    assert all(len(names) == 1 for names in consumed.values()), consumed
    for route in settings.CELERY_TASK_ROUTES.values():
        [name] = consumed[route["queue"]]
        assert command_of(services[name]).count("-Q") == 1
        assert f"-Q {route['queue']} " in command_of(services[name])


def test_postgres_16_with_a_readiness_check(services):
    postgres = services["postgres"]
    assert postgres["image"].startswith("postgres:16")
    assert "pg_isready" in healthcheck_of(postgres)
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in postgres["volumes"])


def test_redis_7_never_evicts_queued_tasks(services):
    redis = services["redis"]
    assert redis["image"].startswith("redis:7")
    assert "--maxmemory-policy noeviction" in command_of(redis)
    assert "redis-cli ping" in healthcheck_of(redis)


def test_web_worker_and_beat_run_from_the_same_build_with_production_settings(services):
    builds = {repr(services[name]["build"]) for name in ("web", *WORKERS, "beat")}
    assert builds == {repr(".")}
    for name in ("web", *WORKERS, "beat"):
        environment = services[name]["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
        assert environment["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY:?"), "the secret must be required"
        assert "${DJANGO_ALLOWED_HOSTS" in environment["DJANGO_ALLOWED_HOSTS"]
        assert (
            environment["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in environment["DATABASE_URL"]
        )
        assert environment["REDIS_URL"].startswith("redis://redis:6379/")


def test_web_migrates_then_serves_with_gunicorn_and_checks_healthz(services):
    web = services["web"]
    command = command_of(web)
    assert "python manage.py migrate --noinput" in command
    assert command.index("migrate") < command.index("gunicorn config.wsgi")
    assert "--bind 0.0.0.0:8000" in command
    assert "/healthz" in healthcheck_of(web)
    for backing in ("postgres", "redis"):
        assert web["depends_on"][backing]["condition"] == "service_healthy"


def test_workers_answer_pings_and_beat_schedules(services):
    beat = services["beat"]
    for name in WORKERS:
        worker = services[name]
        assert command_of(worker).startswith("celery -A config.celery_app worker")
        assert "celery -A config.celery_app inspect ping" in healthcheck_of(worker)
        # $$ is Compose's escape: the container's shell expands $HOSTNAME, the worker's default node name.
        assert "celery@$$HOSTNAME" in healthcheck_of(worker)
    assert command_of(beat).startswith("celery -A config.celery_app beat")
    for service in (*(services[name] for name in WORKERS), beat):
        for backing in ("postgres", "redis", "web"):
            assert service["depends_on"][backing]["condition"] == "service_healthy"


def test_the_dockerfile_builds_a_non_root_gunicorn_image():
    dockerfile = (ROOT / "Dockerfile").read_text()
    lines = [line.strip() for line in dockerfile.splitlines()]
    assert next(line for line in lines if line.startswith("FROM ")) == "FROM python:3.11-slim"
    assert "pip install -r requirements.txt" in dockerfile
    assert "collectstatic --noinput" in dockerfile
    assert any(line.startswith("USER ") and line != "USER root" for line in lines)
    cmd = [line for line in lines if line.startswith("CMD ")][-1]
    assert '"gunicorn", "config.wsgi"' in cmd


def test_the_image_leaves_out_local_state():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", "var", ".env", "staticfiles"} <= ignored


def test_docker_starts_every_service_again_when_its_process_exits(services):
    # Docker's restart policy is the supervision in production (scripts/supervise.sh is make run's): a worker or beat
    # that dies is started again, and so are PostgreSQL and Redis. README, "Outages and supervision".
    for name, service in services.items():
        assert service.get("restart") in ("unless-stopped", "always"), name


def test_redis_keeps_what_it_holds_across_a_restart(services):
    # The append-only file keeps the queue and the messages a worker held unacknowledged, which the worker puts back
    # in the queue after reconnecting (config/broker_outage.py).
    redis = services["redis"]
    assert "--appendonly yes" in command_of(redis)
    assert any(volume.endswith(":/data") for volume in redis["volumes"])

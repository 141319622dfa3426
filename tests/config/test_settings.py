"""Production settings refuse to start half-configured and pass Django's deploy checks once configured."""

import base64
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_DIR = ROOT / "config" / "settings"


def run(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    """Run Python in a clean environment: only what the test gives, plus PATH and a private var folder."""
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "REDRESS_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        **env,
    }
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def production_env(tmp_path) -> dict[str, str]:
    return {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "redress.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "REDRESS_SECRETS_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
    }


@pytest.fixture(autouse=True)
def no_dotenv_secret():
    dotenv = ROOT / ".env"
    if dotenv.exists() and "DJANGO_SECRET_KEY" in dotenv.read_text():
        pytest.skip(".env sets DJANGO_SECRET_KEY, so these subprocesses cannot see production settings without it")


def test_production_refuses_to_load_without_a_secret_key(tmp_path):
    result = run(["-c", "import django; django.setup()"], {}, tmp_path)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize("missing", ["DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "REDRESS_SECRETS_KEY"])
def test_production_refuses_to_load_without_its_other_required_variables(tmp_path, production_env, missing):
    del production_env[missing]

    result = run(["-c", "import django; django.setup()"], production_env, tmp_path)

    assert result.returncode != 0
    assert missing in result.stderr


def test_production_refuses_a_secrets_key_that_is_not_a_fernet_key(tmp_path, production_env):
    production_env["REDRESS_SECRETS_KEY"] = "not-a-fernet-key"

    result = run(["-c", "import django; django.setup()"], production_env, tmp_path)

    assert result.returncode != 0
    assert "REDRESS_SECRETS_KEY" in result.stderr


def test_production_passes_the_deploy_checks(tmp_path, production_env):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env, tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_uses_redis_and_the_given_database(tmp_path, production_env):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.CELERY_BROKER_URL, s.DATABASES['default']['ENGINE'], s.ALLOWED_HOSTS)"
    )

    result = run(["-c", code], production_env, tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "redis://127.0.0.1:6379/0",
        "django.db.backends.sqlite3",
        "['redress.example.com']",
    ]


def settings_variables() -> set[str]:
    names = set()
    for path in SETTINGS_DIR.glob("*.py"):
        names |= set(re.findall(r"""\benv(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]*)["']""", path.read_text()))
    return names


def test_the_readme_documents_every_environment_variable_the_settings_read():
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= settings_variables()
    readme = (ROOT / "README.md").read_text()
    undocumented = sorted(
        name for name in settings_variables() | {"DJANGO_SETTINGS_MODULE"} if f"`{name}`" not in readme
    )
    assert not undocumented, f"add these to the configuration table in README.md: {undocumented}"

"""The developer tools (demo data with a published password, benchmarks that load millions of rows) stay out of
production: production settings do not install them, and their commands refuse where REDRESS_DEVTOOLS is off."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.utils import translation

from complaints.models import Complaint

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("command", ["bench_api", "bench_sweep", "bench_report", "bench_admin"])
def test_the_benchmarks_refuse_where_the_developer_tools_are_off(db, settings, command):
    # Given settings that are not a developer's
    settings.REDRESS_DEVTOOLS = False

    # When a benchmark runs, then it refuses before loading anything, and says how to run it anyway
    with translation.override("en"), pytest.raises(CommandError, match=rf"{command} is a developer tool.*--i-know"):
        call_command(command)
    assert not Complaint.objects.exists()


def test_production_settings_install_no_developer_tools(tmp_path):
    # Given the production settings, configured as a deployment configures them (in a clean process: the test
    # settings are loaded in this one)
    dotenv = ROOT / ".env"
    if dotenv.exists() and "DJANGO_SECRET_KEY" in dotenv.read_text():
        pytest.skip(".env sets DJANGO_SECRET_KEY, so a subprocess cannot see production settings without it")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "REDRESS_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "redress.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "REDRESS_SECRETS_KEY": Fernet.generate_key().decode(),
    }
    code = (
        "import json, django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.core.management import get_commands\n"
        "print(json.dumps({'apps': settings.INSTALLED_APPS, 'urlconf': settings.ROOT_URLCONF,\n"
        "    'devtools': getattr(settings, 'REDRESS_DEVTOOLS', False), 'commands': sorted(get_commands())}))\n"
    )

    # When they are loaded
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )

    # Then the developer tools are not installed, their guard is off, their commands do not exist
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert "complaints.devtools" not in loaded["apps"]
    assert loaded["devtools"] is False
    assert not {"seed_demo", "bench_api", "bench_sweep", "bench_report", "bench_admin"} & set(loaded["commands"])
    # And the site is served by the real URLconf, not the benchmark's (which adds a bare endpoint)
    assert loaded["urlconf"] == "config.urls"

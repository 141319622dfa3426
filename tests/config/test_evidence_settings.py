"""The evidence storage as the README's table describes it: the filesystem under REDRESS_VAR_DIR by default, an
S3-compatible bucket when REDRESS_EVIDENCE_S3_BUCKET is set (each variable read as documented)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
SHOW = "import json; from django.conf import settings; print(json.dumps(settings.STORAGES['evidence'], default=str))"


def _evidence_storage(tmp_path, **env):
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("REDRESS_EVIDENCE_")},
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "REDRESS_VAR_DIR": str(tmp_path),
        **env,
    }
    script = f"import django; django.setup(); {SHOW}"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_by_default_files_go_to_the_filesystem_under_the_var_dir(tmp_path):
    storage = _evidence_storage(tmp_path)
    assert storage["BACKEND"] == "complaints.evidence.storage.EvidenceFileSystemStorage"
    assert storage["OPTIONS"]["location"] == str(tmp_path / "evidence")


def test_a_bucket_switches_to_s3_compatible_storage_with_every_variable(tmp_path):
    storage = _evidence_storage(
        tmp_path,
        REDRESS_EVIDENCE_S3_BUCKET="redress-evidence",
        REDRESS_EVIDENCE_S3_ENDPOINT_URL="https://oss-cn-shanghai.aliyuncs.com",
        REDRESS_EVIDENCE_S3_REGION="cn-shanghai",
        REDRESS_EVIDENCE_S3_ACCESS_KEY_ID="AKID",
        REDRESS_EVIDENCE_S3_SECRET_ACCESS_KEY="SECRET",
        REDRESS_EVIDENCE_S3_PREFIX="prod/evidence",
    )
    assert storage["BACKEND"] == "complaints.evidence.storage.EvidenceS3Storage"
    assert storage["OPTIONS"] == {
        "bucket_name": "redress-evidence",
        "location": "prod/evidence",
        "default_acl": None,
        "file_overwrite": True,
        "endpoint_url": "https://oss-cn-shanghai.aliyuncs.com",
        "region_name": "cn-shanghai",
        "access_key": "AKID",
        "secret_key": "SECRET",
        "addressing_style": "path",
    }


def test_without_keys_or_endpoint_boto3_finds_its_own(tmp_path):
    storage = _evidence_storage(tmp_path, REDRESS_EVIDENCE_S3_BUCKET="redress-evidence")
    assert set(storage["OPTIONS"]) == {"bucket_name", "location", "default_acl", "file_overwrite"}


def test_compose_keeps_web_evidence_on_a_volume_and_passes_the_bucket_variables():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    web = compose["services"]["web"]
    assert "evidence:/app/var/evidence" in web["volumes"] and "evidence" in compose["volumes"]
    names = {name for name in web["environment"] if name.startswith("REDRESS_EVIDENCE_S3_")}
    assert names == {f"REDRESS_EVIDENCE_S3_{n}" for n in ("BUCKET", "ENDPOINT_URL", "REGION", "PREFIX")} | {
        "REDRESS_EVIDENCE_S3_ACCESS_KEY_ID",
        "REDRESS_EVIDENCE_S3_SECRET_ACCESS_KEY",
    }
    # The image creates the folder owned by its user, so a new named volume mounted there is writable by it.
    assert "mkdir -p /app/var/evidence" in (ROOT / "Dockerfile").read_text()

"""The Simplified Chinese catalogue is complete, compiled, and actually used.

The .po is parsed with a tiny parser below (no polib at test time); the .mo is
read with the standard library's gettext.GNUTranslations.
"""

import ast
import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.utils import translation

from complaints.choices import Category
from complaints.models import Complaint

LC_MESSAGES = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"
PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[-+ #0-9.]*[sdifr]|\{\{.*?\}\}|\{%.*?%\}")


def parse_po(path: Path) -> list[dict]:
    """Return the entries of a .po file (header included, obsolete #~ entries skipped).

    Each entry: {"msgctxt", "msgid", "msgid_plural", "msgstr" (str or {n: str}), "flags"}.
    """
    entries: list[dict] = []
    entry: dict | None = None
    field: tuple | None = None
    flags: set[str] = set()

    def finish():
        nonlocal entry
        if entry is not None:
            entries.append(entry)
        entry = None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            finish()
            flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            assert entry is not None and field is not None, f"stray string line: {raw!r}"
            value = ast.literal_eval(line)
            if field[0] == "msgstr_n":
                entry["msgstr"][field[1]] += value
            else:
                entry[field[0]] += value
            continue
        keyword, _, rest = line.partition(" ")
        value = ast.literal_eval(rest.strip())
        if keyword in ("msgctxt", "msgid") and (entry is None or "msgstr" in entry):
            finish()
            entry = {"msgctxt": None, "msgid_plural": None, "flags": flags}
            flags = set()
        assert entry is not None, f"unexpected line: {raw!r}"
        if keyword.startswith("msgstr["):
            entry.setdefault("msgstr", {})[int(keyword[7:-1])] = value
            field = ("msgstr_n", int(keyword[7:-1]))
        else:
            entry[keyword] = value
            field = (keyword,)
    finish()
    return entries


def messages(entries: list[dict]) -> list[dict]:
    return [e for e in entries if e["msgid"] != ""]


@pytest.fixture(scope="module")
def po_entries() -> list[dict]:
    assert PO_PATH.exists(), f"{PO_PATH} is missing: run makemessages -l zh_Hans"
    return parse_po(PO_PATH)


# (a) the catalogue is complete --------------------------------------------------------------------


def test_po_has_messages(po_entries):
    assert len(messages(po_entries)) > 100


def test_po_has_no_fuzzy_entries(po_entries):
    fuzzy = [e["msgid"] for e in po_entries if "fuzzy" in e["flags"]]
    assert fuzzy == [], f"fuzzy entries are ignored by Django: {fuzzy}"


def test_po_has_no_untranslated_entries(po_entries):
    untranslated = []
    for e in messages(po_entries):
        msgstr = e["msgstr"]
        values = list(msgstr.values()) if isinstance(msgstr, dict) else [msgstr]
        if not all(values):
            untranslated.append(e["msgid"])
    assert untranslated == [], f"untranslated: {untranslated}"


def test_po_header_declares_chinese_and_utf8(po_entries):
    header = po_entries[0]
    assert header["msgid"] == ""
    assert "charset=UTF-8" in header["msgstr"]
    assert "Language: zh_Hans" in header["msgstr"]
    assert "nplurals=1" in header["msgstr"]


def test_translations_keep_placeholders(po_entries):
    wrong = []
    for e in messages(po_entries):
        msgstr = e["msgstr"]
        for value in msgstr.values() if isinstance(msgstr, dict) else [msgstr]:
            if sorted(PLACEHOLDER.findall(e["msgid"])) != sorted(PLACEHOLDER.findall(value)):
                wrong.append((e["msgid"], value))
    assert wrong == []


def test_translations_are_chinese(po_entries):
    """Everything made of English words has Chinese in it (codes, brand names and examples excepted)."""
    han = re.compile(r"[\u4e00-\u9fff]")
    not_chinese = [
        e["msgid"]
        for e in messages(po_entries)
        if isinstance(e["msgstr"], str)
        and not han.search(e["msgstr"])
        and e["msgid"] not in {"Redress"}
        and re.search(r"[A-Za-z]", e["msgid"])  # a unit such as "%" or "¥" is no English word
    ]
    assert not_chinese == []


# (b) Django uses the catalogue --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("Delay", "延误"),
        ("Loss or missing contents", "丢失短少"),
        ("Damage", "损毁"),
        ("Contents not as shipped", "内件不符"),
        ("Delivery service", "投递服务"),
        ("Collection service", "收寄服务"),
        ("Staff attitude", "服务态度"),
        ("Improper charges", "违规收费"),
        ("Cash-on-delivery collection", "代收货款"),
        ("Other", "其他"),
        ("complaint", "投诉"),
        ("waybill number", "运单号"),
        ("Supervisor", "主管"),
        ("— back to the queue —", "— 退回队列 —"),
    ],
)
def test_gettext_in_chinese_and_english(english, chinese):
    with translation.override("zh-hans"):
        assert translation.gettext(english) == chinese
    with translation.override("en"):
        assert translation.gettext(english) == english


def test_lazy_labels_follow_the_active_language():
    import config.urls  # noqa: F401  (sets the admin site header)

    with translation.override("zh-hans"):
        assert str(Category.DELAY.label) == "延误"
        assert str(Complaint._meta.verbose_name) == "投诉"
        assert str(admin.site.site_header) == "Redress 投诉管理后台"
    with translation.override("en"):
        assert str(Category.DELAY.label) == "Delay"
        assert str(Complaint._meta.verbose_name) == "complaint"
        assert str(admin.site.site_header) == "Redress complaints back office"


def test_placeholders_still_interpolate_in_chinese():
    with translation.override("zh-hans"):
        text = translation.gettext("Your complaint %(ref)s") % {"ref": "TS2026112400001"}
    assert text == "您的投诉 TS2026112400001"


# (c) the committed .mo matches the .po ------------------------------------------------------------


def test_mo_matches_po(po_entries):
    assert MO_PATH.exists(), f"{MO_PATH} is missing: run compilemessages and commit it"
    with MO_PATH.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog

    expected = {}
    for e in messages(po_entries):
        if "fuzzy" in e["flags"]:
            continue
        key = e["msgid"] if e["msgctxt"] is None else f"{e['msgctxt']}\x04{e['msgid']}"
        if isinstance(e["msgstr"], dict):
            for n, value in e["msgstr"].items():
                expected[(key, n)] = value
        else:
            expected[key] = e["msgstr"]

    actual = {k: v for k, v in catalog.items() if k != ""}
    stale = sorted(str(k) for k in expected if actual.get(k) != expected[k])
    extra = sorted(str(k) for k in actual if k not in expected)
    assert stale == [], f"django.mo is out of date, run compilemessages: {stale[:10]}"
    assert extra == [], f"django.mo has entries no longer in django.po: {extra[:10]}"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="msgfmt (gettext) is not installed")
def test_po_compiles_cleanly(tmp_path):
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(PO_PATH)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr

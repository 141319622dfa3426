import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from complaints.errors import ServiceError
from reports import exports
from reports.reading import FUTURE, last_complete_week, report_for
from reports.services import weekly_report_build
from reports.weeks import IsoWeek

FORMATS = ("text", "csv", "xlsx", "html")


class Command(BaseCommand):
    help = _(
        "Print or write one week's report (the stored snapshot; built on first use). Default: the last "
        "complete week, as text."
    )

    def add_arguments(self, parser):
        parser.add_argument("--week", help=_("ISO week such as 2026-W47 (default: the last complete week)"))
        parser.add_argument("--format", choices=FORMATS, default="text", help=_("text, csv, xlsx or html"))
        parser.add_argument("--output", help=_("write to this file instead of standard output"))
        parser.add_argument(
            "--recompute", action="store_true", help=_("compute the week again and replace its stored figures")
        )
        parser.add_argument("--language", default=settings.LANGUAGE_CODE, help=_("zh-hans or en"))

    def handle(self, *args, **options):
        try:
            week = IsoWeek.parse(options["week"]) if options["week"] else last_complete_week()
            if options["recompute"]:
                weekly_report_build(week=week, recompute=True)
        except ServiceError as error:
            raise CommandError(str(error)) from error
        data, _snapshot, state = report_for(week)
        if state == FUTURE:
            raise CommandError(_("%(week)s has not started yet.") % {"week": week})
        with translation.override(options["language"]):
            fmt = options["format"]
            if fmt == "text":
                content: bytes = exports.report_text(data).encode("utf-8")
            elif fmt == "csv":
                content = exports.report_csv(data)
            elif fmt == "xlsx":
                content = exports.report_xlsx(data)
            else:
                content = exports.report_html(data).encode("utf-8")
        if options["output"]:
            path = Path(options["output"])
            try:
                path.write_bytes(content)
            except OSError as error:
                raise CommandError(_("Cannot write %(path)s: %(error)s") % {"path": path, "error": error}) from error
            self.stderr.write(
                _("Wrote %(week)s (%(format)s, %(n)d bytes) to %(path)s")
                % {"week": week, "format": fmt, "n": len(content), "path": path}
            )
            return
        if fmt == "xlsx" and sys.stdout.isatty():
            raise CommandError(_("An XLSX workbook is binary: give --output PATH or redirect standard output."))
        if fmt in ("xlsx", "csv"):
            stream = getattr(self.stdout._out, "buffer", None)
            if stream is not None:
                stream.write(content)
                stream.flush()
                return
        self.stdout.write(content.decode("utf-8", errors="replace"), ending="")

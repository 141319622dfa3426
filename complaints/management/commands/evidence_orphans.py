from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from complaints.evidence.services import evidence_orphans


class Command(BaseCommand):
    help = _(
        "List the objects in the evidence storage that no evidence file names (left by a transaction that rolled "
        "back after writing them), and delete them with --delete."
    )

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help=_("Delete them (otherwise only list them)."))
        parser.add_argument(
            "--older-than-hours",
            type=float,
            default=1.0,
            help=_("Only objects written at least this many hours ago (default 1): newer ones may still be committed."),
        )

    def handle(self, *args, **options):
        if options["older_than_hours"] < 0:
            raise CommandError(_("--older-than-hours cannot be negative."))
        names = evidence_orphans(older_than=timedelta(hours=options["older_than_hours"]), delete=options["delete"])
        for name in names:
            self.stdout.write(name)
        if options["delete"]:
            message = _("%(n)d orphaned objects deleted.") % {"n": len(names)}
        else:
            message = _("%(n)d orphaned objects (run with --delete to delete them).") % {"n": len(names)}
        self.stdout.write(message)

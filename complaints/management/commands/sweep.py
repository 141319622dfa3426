from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from complaints.followups.outbox import outbox_dispatch
from complaints.followups.planning import progress_updates_plan, revisits_plan
from complaints.sla.sweep import clocks_sweep


class Command(BaseCommand):
    help = _("Run every sweep once, synchronously, as of now or of --at: clocks, progress updates, revisits, dispatch.")

    def add_arguments(self, parser):
        parser.add_argument("--at", help=_("ISO-8601 time to run as of, e.g. 2026-11-24T09:00:00+08:00"))

    def handle(self, *args, **options):
        at = timezone.now()
        if options["at"]:
            try:
                at = parse_datetime(options["at"])
            except ValueError:  # well-formed but impossible, e.g. 2026-02-30
                at = None
            if at is None:
                raise CommandError(_("--at must be an ISO-8601 time such as 2026-11-24T09:00:00+08:00"))
            if timezone.is_naive(at):
                at = timezone.make_aware(at)
        clocks = clocks_sweep(now=at)
        progress = progress_updates_plan(now=at)
        revisits = revisits_plan(now=at)
        dispatch = outbox_dispatch(now=at)
        self.stdout.write(
            _(
                "As of %(at)s: %(w)d warnings, %(b)d breaches, %(e)d escalations; %(p)d progress updates; "
                "%(r)d revisits; %(s)d sent, %(t)d to retry, %(f)d failed, %(d)d held for quiet hours."
            )
            % {
                "at": at.isoformat(),
                "w": clocks.warnings,
                "b": clocks.breaches,
                "e": clocks.escalations,
                "p": progress.planned,
                "r": revisits.planned,
                "s": dispatch.sent,
                "t": dispatch.retried,
                "f": dispatch.failed,
                "d": dispatch.deferred,
            }
        )

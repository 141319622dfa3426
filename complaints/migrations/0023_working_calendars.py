import datetime

import django.db.models.deletion
from django.db import migrations, models

import complaints.validators


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0022_inbound_email"),
    ]

    operations = [
        migrations.CreateModel(
            name="WorkingCalendar",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100, unique=True, verbose_name="name")),
                (
                    "time_zone",
                    models.CharField(
                        default="Asia/Shanghai",
                        help_text="An IANA time zone name, e.g. Asia/Shanghai.",
                        max_length=64,
                        validators=[complaints.validators.validate_time_zone],
                        verbose_name="time zone",
                    ),
                ),
                (
                    "working_days",
                    models.CharField(
                        default="12345",
                        help_text="Days of the week: 1 is Monday, 7 is Sunday.",
                        max_length=7,
                        validators=[complaints.validators.validate_working_days],
                        verbose_name="working days",
                    ),
                ),
                ("opens_at", models.TimeField(default=datetime.time(9, 0), verbose_name="opens at")),
                (
                    "closes_at",
                    models.TimeField(
                        default=datetime.time(18, 0), help_text="00:00 means midnight.", verbose_name="closes at"
                    ),
                ),
                (
                    "public_holidays",
                    models.BooleanField(
                        default=True,
                        help_text="Closed on public holidays and open on the adjusted working days (调休) announced by "
                        "the State Council. For a year not announced yet, only the working days of the week count.",
                        verbose_name="follows China's public holidays",
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
            ],
            options={
                "verbose_name": "working calendar",
                "verbose_name_plural": "working calendars",
                "ordering": ["name"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("closes_at__gt", models.F("opens_at")), ("closes_at", datetime.time(0, 0)), _connector="OR"
                        ),
                        name="working_calendar_closes_after_opening",
                        violation_error_message="A working day closes after it opens.",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="CalendarClosure",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("starts_on", models.DateField(verbose_name="first day")),
                ("ends_on", models.DateField(verbose_name="last day")),
                (
                    "calendar",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="closures",
                        to="complaints.workingcalendar",
                        verbose_name="working calendar",
                    ),
                ),
            ],
            options={
                "verbose_name": "closure",
                "verbose_name_plural": "closures",
                "ordering": ["starts_on"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("ends_on__gte", models.F("starts_on"))),
                        name="calendar_closure_ends_after_start",
                        violation_error_message="A closure ends on or after its first day.",
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="slapolicy",
            name="calendar",
            field=models.ForeignKey(
                blank=True,
                help_text="Empty: the targets count calendar hours. Chosen: they count working hours on this calendar. "
                "The statutory limit always counts calendar days.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="policies",
                to="complaints.workingcalendar",
                verbose_name="working calendar",
            ),
        ),
    ]

from django.contrib.auth.models import AbstractUser
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Carrier(models.Model):
    """A partner courier company (ZTO 中通, SF 顺丰, KY 跨越速运...)."""

    code = models.CharField(
        _("code"),
        max_length=16,
        unique=True,
        validators=[RegexValidator(r"^[A-Z][A-Z0-9]{1,15}$", _("Use 2-16 capital letters and digits, e.g. ZTO."))],
        help_text=_("Short upper-case code, e.g. ZTO, SF, KY."),
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    contact_email = models.EmailField(_("contact email"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[A-Z][A-Z0-9]{1,15}$"), name="carrier_code_format"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"

    def display_name(self, language: str) -> str:
        return self.name_zh if language.startswith("zh") else self.name_en


class User(AbstractUser):
    """Staff (agents, supervisors) and carrier-partner users. Carrier users belong to one carrier."""

    carrier = models.ForeignKey(
        Carrier,
        verbose_name=_("carrier"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("Set only for carrier-partner users; they use the API and never reach the admin."),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # A carrier's user is never staff: the admin is for our own agents and supervisors.
            models.CheckConstraint(
                condition=Q(carrier__isnull=True) | Q(is_staff=False, is_superuser=False),
                name="carrier_user_not_staff",
            ),
        ]

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} ({self.username})" if full else self.username


class ApiKey(models.Model):
    """A carrier's key to the partner API. Only a SHA-256 hash is stored; the key is shown once, when issued.

    Requests made with a key act as the carrier's API user (`user`, one per carrier, never staff), so every event
    they record shows the actor and the role "carrier"."""

    carrier = models.ForeignKey(Carrier, verbose_name=_("carrier"), on_delete=models.CASCADE, related_name="api_keys")
    user = models.ForeignKey(User, verbose_name=_("acts as"), on_delete=models.PROTECT, related_name="api_keys")
    name = models.CharField(_("name"), max_length=100, blank=True, help_text=_("What the key is for, e.g. “ERP”."))
    prefix = models.CharField(
        _("prefix"), max_length=16, unique=True, help_text=_("The first characters of the key, to recognise it.")
    )
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.carrier.code})"


class AuditAction(models.TextChoices):
    """The changes to the operation's settings that are audited (docs/architecture.md, "The audit trail")."""

    SLA_POLICY_SAVED = "sla_policy_saved", _("SLA policy saved")
    WEBHOOK_ENDPOINT_SAVED = "webhook_endpoint_saved", _("Webhook endpoint saved")
    WEBHOOK_SECRET_ROTATED = "webhook_secret_rotated", _("Webhook secret rotated")
    WEBHOOK_DELIVERY_REPLAYED = "webhook_delivery_replayed", _("Webhook delivery replayed")
    API_KEY_ISSUED = "api_key_issued", _("API key issued")
    API_KEY_REVOKED = "api_key_revoked", _("API key revoked")
    REPORT_RECOMPUTED = "report_recomputed", _("Weekly report recomputed")


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Audit entries are append-only and cannot be updated.")

    def delete(self):
        raise TypeError("Audit entries are append-only and cannot be deleted.")


class AuditEntry(models.Model):
    """Who changed what in the operation's settings, and when: one row per change, written by accounts.audit.
    audit_record inside the change's own transaction. Append-only: the database refuses updates (migration 0004).
    Never holds a secret (a key's prefix at most)."""

    created_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        User,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
        help_text=_("Empty when the system or a command-line job made the change."),
    )
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices)
    target_type = models.CharField(_("target type"), max_length=100)
    target_id = models.CharField(_("target id"), max_length=64)
    target_repr = models.CharField(_("target"), max_length=200)
    data = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["action", "created_at"], name="audit_action_time"),
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Audit entries are append-only and cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit entries are append-only and cannot be deleted.")

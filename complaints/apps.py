from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self):
        # A provider's inbound email (django-anymail's webhook view sends the signal once the signature is verified).
        from anymail.signals import inbound

        from complaints.inbound.receivers import anymail_inbound

        inbound.connect(anymail_inbound, dispatch_uid="redress.inbound-email")

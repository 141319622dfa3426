"""Messages complainants send us: SMS replies through the gateway's uplink callback (docs/channels.md, "Inbound SMS").

models.py is core (complaints.models imports it; app label `complaints`): each inbound SMS once, and the numbers that
opted out of SMS. sms.py reads a gateway's uplink (Aliyun's SmsUp push, or the generic JSON) and what a text says
(a score, an opt-out or opt-in keyword); selectors.py finds what a number's text is about; services.py routes it:
the pending survey first, else a reply on the number's complaint, else a new complaint. views.py is the edge (the
callback), which authenticates the gateway and calls services.py.
"""

"""The compensation admin, one module per area: claims (the inline on the complaint, a changelist, the propose and
decision pages), the policy's versions and chargebacks with totals per carrier. Django imports this package; it
registers them all. Every change goes through complaints.compensation.services; these modules only translate
requests."""

from complaints.compensation.admin import chargebacks, claims, policy
from complaints.compensation.admin.inline import CompensationClaimInline

__all__ = ["CompensationClaimInline", "chargebacks", "claims", "policy"]

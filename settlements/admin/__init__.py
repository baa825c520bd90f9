"""The finance admin: settlements, their audit trail, corrections, the calendar and boosts.

Everything money-related is read-only (DESIGN §8, STYLE "Append, never edit"): Finance acts
through admin actions that call ``settlements.services``; "Finance" means the
``settlements.change_settlement`` permission (given to the Finance group by migration 0003).

One ModelAdmin family per module; every registration of the app is here, including the two
documented overrides: the Boost admin of ``orders`` replaced by ``BoostSettlementAdmin``, and its
Influencer admin by ``InfluencerShortfallAdmin`` (the shortfall history is settlements'). The
``orders`` pricing setting is registered here too, for its switch action page (``pricing``).
"""

from django.contrib import admin

from orders.models import Boost, Influencer, PricingModelChange, PricingSetting

from ..models import (
    Adjustment,
    CalendarDay,
    CalendarYear,
    QuarantinedRow,
    RecoveryCase,
    Settlement,
    SettlementEvent,
)
from .adjustments import AdjustmentAdmin
from .boosts import BoostSettlementAdmin
from .calendar import CalendarDayAdmin
from .calendar_years import CalendarYearAdmin
from .events import SettlementEventAdmin
from .pricing import PricingModelChangeAdmin, PricingSettingAdmin
from .quarantine import QuarantinedRowAdmin
from .recoveries import InfluencerShortfallAdmin, RecoveryCaseAdmin
from .settlements import SettlementAdmin

admin.site.register(Settlement, SettlementAdmin)
admin.site.register(Adjustment, AdjustmentAdmin)
admin.site.register(SettlementEvent, SettlementEventAdmin)
admin.site.register(CalendarDay, CalendarDayAdmin)
admin.site.register(QuarantinedRow, QuarantinedRowAdmin)
admin.site.register(CalendarYear, CalendarYearAdmin)
admin.site.register(RecoveryCase, RecoveryCaseAdmin)
admin.site.unregister(Boost)
admin.site.register(Boost, BoostSettlementAdmin)
admin.site.register(PricingSetting, PricingSettingAdmin)
admin.site.register(PricingModelChange, PricingModelChangeAdmin)
admin.site.unregister(Influencer)
admin.site.register(Influencer, InfluencerShortfallAdmin)

__all__ = [
    "AdjustmentAdmin",
    "BoostSettlementAdmin",
    "CalendarDayAdmin",
    "QuarantinedRowAdmin",
    "CalendarYearAdmin",
    "PricingModelChangeAdmin",
    "PricingSettingAdmin",
    "InfluencerShortfallAdmin",
    "RecoveryCaseAdmin",
    "SettlementAdmin",
    "SettlementEventAdmin",
]

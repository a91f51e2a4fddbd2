from . import event_mp_decision_wizard
from . import event_mp_checkin_wizard
from . import event_mp_register_wizard

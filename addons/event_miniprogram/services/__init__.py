from . import event_service
from . import registration_service
from . import checkin_service

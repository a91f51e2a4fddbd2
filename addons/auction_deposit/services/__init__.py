from . import session_service
from . import lot_service
from . import deposit_service

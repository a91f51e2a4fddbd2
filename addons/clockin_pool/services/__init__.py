from . import clockin_service
from . import envelope_service

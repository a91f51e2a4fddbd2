from . import base_service
from . import auth_service
from . import me_service
from . import subscription_service
from . import message_service

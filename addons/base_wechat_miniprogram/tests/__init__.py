from . import test_auth
from . import test_profile
from . import test_api_framework
from . import test_subscribe_message
from . import test_access_token

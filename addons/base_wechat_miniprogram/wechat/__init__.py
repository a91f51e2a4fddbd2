from . import session_storage
from . import client

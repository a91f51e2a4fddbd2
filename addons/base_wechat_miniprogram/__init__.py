from . import wechat
from . import http
from . import models
from . import controllers
from . import services

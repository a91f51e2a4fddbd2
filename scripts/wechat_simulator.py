#!/usr/bin/env python3
"""In-memory simulator of the WeChat server API, for tests and local runs.

Why it exists: our addons talk to WeChat through wechatpy, and the real
API cannot be reached from CI, cannot hand out login codes on demand and
cannot be made to fail on purpose.  This server speaks the same HTTP/JSON
as ``api.weixin.qq.com`` for the calls we make, checks credentials the
way WeChat does (same errcodes), and adds a control API under ``/sim/``
through which tests create users and login codes, read what was "sent",
expire tokens and inject faults.

This is the mini-program half: access tokens, ``jscode2session``,
subscribe messages, ``getuserriskrank`` and the AES ``encryptedData``
that ``wx.getPhoneNumber`` / ``wx.getUserInfo`` hand to the front end.

Layout, so that the pay half (WeChat Pay v2, XML) can be added here:

* ``WeChatError`` / ``Reply`` / ``Request`` -- what handlers raise,
  return and receive; no HTTP plumbing leaks into handlers.
* ``State`` -- every piece of mutable data, behind one lock.  New data
  goes into ``State.reset`` so ``/sim/reset`` clears it too.
* ``Simulator`` -- the handlers and ``ROUTES``, the table mapping
  ``(method, path)`` to a ``Route``.  A route with an ``endpoint`` name
  is a WeChat API: its calls are counted and faults can target it.
* ``RequestHandler`` / ``SimulatorServer`` -- stdlib HTTP server glue.
* ``serve()`` embeds the server in a test, ``main()`` is the CLI.

Usage::

    python scripts/wechat_simulator.py [--host 127.0.0.1] [--port 8900]
        [--app APPID:SECRET ...] [--token-ttl 7200] [--quiet]
"""

import argparse
import base64
import collections
import hashlib
import json
import os
import secrets
import signal
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

DEFAULT_APP = ('wxd0000000000demo', 'demo-app-secret-0000000000000000')
DEFAULT_TOKEN_TTL = 7200

# errmsg texts as WeChat words them; tests and logs match on the codes.
ERRMSG = {
    -1: 'system error',
    40001: 'invalid credential, access_token is invalid or not latest',
    40002: 'invalid grant_type',
    40003: 'invalid openid',
    40013: 'invalid appid',
    40029: 'invalid code',
    40125: 'invalid appsecret',
    40163: 'code been used',
    41002: 'appid missing',
    41004: 'appsecret missing',
    41008: 'missing code',
    42001: 'access_token expired',
    47001: 'data format error',
    47003: 'argument invalid!',
}


class WeChatError(Exception):
    """An error answered as WeChat does: ``{"errcode", "errmsg"}``.

    ``status`` is only used by the control API (400): WeChat itself
    answers errors with HTTP 200, and wechatpy relies on that.
    """

    def __init__(self, errcode, errmsg=None, status=200):
        self.errcode = errcode
        self.errmsg = errmsg or ERRMSG.get(errcode, 'error')
        self.status = status
        super().__init__(errcode, self.errmsg)

    def as_dict(self):
        return {'errcode': self.errcode, 'errmsg': self.errmsg}


class Reply(collections.namedtuple('Reply', 'status content_type body')):
    """A finished HTTP answer; handlers may return one to bypass the
    JSON default (the pay half will answer XML this way)."""

    __slots__ = ()


def json_reply(payload, status=200):
    """Serialise ``payload`` as UTF-8 JSON, the way WeChat answers."""
    body = json.dumps(payload, ensure_ascii=False).encode('utf-8')
    return Reply(status, 'application/json; charset=utf-8', body)


def bare_reply(status):
    """A plain-text HTTP error, as a failing gateway in front of WeChat
    would send (no JSON, so clients must cope with a non-200)."""
    body = '{} error\n'.format(status).encode('ascii')
    return Reply(status, 'text/plain; charset=utf-8', body)


class Request:
    """The parts of an HTTP request a handler may look at."""

    def __init__(self, method, path, query, body, headers):
        self.method = method
        self.path = path
        self.query = query
        self.body = body
        self.headers = headers

    @classmethod
    def from_target(cls, method, target, body, headers):
        parts = urlsplit(target)
        query = {
            key: values[0]
            for key, values in parse_qs(
                parts.query, keep_blank_values=True).items()
        }
        return cls(method, parts.path, query, body, headers)

    def param(self, name):
        """A query string value, ``None`` when absent or empty."""
        return self.query.get(name) or None

    def json(self, default=None):
        """The body as a JSON object, else WeChat's 47001.

        ``default`` is returned for an empty body; control endpoints
        pass ``{}`` so that ``POST /sim/reset`` needs no body.
        """
        if not self.body.strip() and default is not None:
            return default
        try:
            payload = json.loads(self.body.decode('utf-8'))
        except ValueError:  # includes UnicodeDecodeError
            raise WeChatError(47001)
        if not isinstance(payload, dict):
            raise WeChatError(47001)
        return payload


class User:
    """A WeChat user as seen by one app: openids are per app."""

    def __init__(self, appid, name, unionid=None):
        self.appid = appid
        self.name = name
        self.openid = make_openid(appid, name)
        self.session_key = random_b64(16)
        self.unionid = unionid


class Token:
    def __init__(self, appid, expires_at):
        self.appid = appid
        self.expires_at = expires_at


class Fault:
    """One injected misbehaviour, used up after ``remaining`` calls."""

    def __init__(self, remaining, errcode=None, errmsg=None, delay=0,
                 http_status=None):
        self.remaining = remaining
        self.errcode = errcode
        self.errmsg = errmsg
        self.delay = delay
        self.http_status = http_status


def make_openid(appid, name):
    """A stable 28-character openid for (app, user name).

    Derived, not random, so a restarted simulator gives the same user
    the same openid and tests can predict it.
    """
    digest = hashlib.sha256('{}:{}'.format(appid, name).encode('utf-8'))
    return 'o' + base64.urlsafe_b64encode(digest.digest()).decode()[:27]


def random_b64(size):
    return base64.b64encode(os.urandom(size)).decode('ascii')


def encrypt_wxa_data(session_key, payload):
    """Encrypt ``payload`` exactly like WeChat's ``encryptedData``.

    AES-128-CBC, PKCS#7 padding, key = base64-decoded session_key,
    random IV; returns (encryptedData, iv), both base64 text.
    """
    key = base64.b64decode(session_key)
    iv = os.urandom(16)
    plaintext = json.dumps(payload, ensure_ascii=False).encode('utf-8')
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(padded) + encryptor.finalize()
    return (base64.b64encode(ciphertext).decode('ascii'),
            base64.b64encode(iv).decode('ascii'))


class State:
    """All mutable simulator data, guarded by ``lock``.

    Handler threads run concurrently (ThreadingHTTPServer), so every
    read-modify-write goes through a method holding the lock.
    """

    def __init__(self, apps, token_ttl=DEFAULT_TOKEN_TTL):
        if not apps:
            raise ValueError('at least one app is required')
        self.apps = dict(apps)  # appid -> secret; first one is default
        self.token_ttl = token_ttl
        self.lock = threading.RLock()
        self.reset()

    def reset(self):
        """Forget everything except the configured apps."""
        with self.lock:
            self.tokens = {}  # access_token -> Token
            self.tokens_issued = collections.Counter()  # appid -> n
            self.calls = collections.Counter()  # endpoint -> n
            self.users = {}  # (appid, name) -> User
            self.openids = {}  # (appid, openid) -> User
            self.codes = {}  # js_code -> [appid, User, used]
            self.messages = []
            self.faults = collections.defaultdict(collections.deque)
            self.risk_ranks = {}  # (appid, openid) -> int
            self.serial = 100000  # msgid / unoin_id source

    @property
    def default_appid(self):
        return next(iter(self.apps))

    def next_serial(self):
        with self.lock:
            self.serial += 1
            return self.serial

    # -- credentials -----------------------------------------------------

    def check_app(self, appid, secret):
        """WeChat checks the appid first, then its secret."""
        if appid not in self.apps:
            raise WeChatError(40013)
        if not secrets.compare_digest(self.apps[appid].encode('utf-8'),
                                      secret.encode('utf-8')):
            raise WeChatError(40125)

    def issue_token(self, appid):
        """A fresh token each call; older ones stay valid until expiry."""
        token = secrets.token_urlsafe(72)
        with self.lock:
            self.tokens[token] = Token(appid, time.time() + self.token_ttl)
            self.tokens_issued[appid] += 1
        return token

    def authenticate(self, access_token):
        """The appid owning ``access_token``, or WeChat's token errors."""
        with self.lock:
            token = self.tokens.get(access_token or '')
        if token is None:
            raise WeChatError(40001)
        if token.expires_at <= time.time():
            raise WeChatError(42001)
        return token.appid

    def expire_tokens(self, appid=None):
        """Expire the tokens of ``appid`` (all apps if None)."""
        expired = 0
        now = time.time()
        with self.lock:
            for token in self.tokens.values():
                if appid in (None, token.appid) and token.expires_at > now:
                    token.expires_at = now - 1
                    expired += 1
        return expired

    # -- users and login codes ---------------------------------------------

    def user(self, appid, name, unionid=None):
        """Get or create a user; a given unionid is remembered."""
        with self.lock:
            user = self.users.get((appid, name))
            if user is None:
                user = self.users[appid, name] = User(appid, name)
                self.openids[appid, user.openid] = user
            if unionid:
                user.unionid = unionid
            return user

    def knows_openid(self, appid, openid):
        with self.lock:
            return (appid, openid) in self.openids

    def issue_code(self, user):
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = [user.appid, user, False]
        return code

    def redeem_code(self, appid, code):
        """Single use, bound to the app it was issued for, like WeChat."""
        with self.lock:
            entry = self.codes.get(code)
            if entry is None or entry[0] != appid:
                raise WeChatError(40029)
            if entry[2]:
                raise WeChatError(40163)
            entry[2] = True
            return entry[1]

    # -- messages, risk ranks ------------------------------------------------

    def record_message(self, message):
        with self.lock:
            message['msgid'] = self.next_serial()
            self.messages.append(message)
            return message['msgid']

    def find_messages(self, **filters):
        wanted = {k: v for k, v in filters.items() if v is not None}
        with self.lock:
            return [dict(m) for m in self.messages
                    if all(m.get(k) == v for k, v in wanted.items())]

    def set_risk_rank(self, appid, openid, rank):
        with self.lock:
            self.risk_ranks[appid, openid] = rank

    def risk_rank(self, appid, openid):
        with self.lock:
            return self.risk_ranks.get((appid, openid), 0)

    # -- faults and statistics -----------------------------------------------

    def add_fault(self, endpoint, fault):
        with self.lock:
            self.faults[endpoint].append(fault)

    def count_call(self, endpoint):
        """Count a call and return the fault it must suffer, if any.

        Faults queue up per endpoint: each consumes ``remaining`` calls
        before the next queued one applies.
        """
        with self.lock:
            self.calls[endpoint] += 1
            queue = self.faults[endpoint]
            if not queue:
                return None
            fault = queue[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                queue.popleft()
            return fault

    def stats(self):
        with self.lock:
            return {'tokens_issued': dict(self.tokens_issued),
                    'calls': dict(self.calls)}


class Route(collections.namedtuple('Route', 'handler endpoint',
                                   defaults=(None,))):
    """``handler`` names a Simulator method; ``endpoint`` is the name
    used by /sim/faults and /sim/stats (None: control API)."""

    __slots__ = ()


class Simulator:
    """Request handlers plus the route table; state lives in ``State``.

    Handlers take a ``Request`` and return a dict (sent as JSON, HTTP
    200) or a ``Reply``; they raise ``WeChatError`` for WeChat errors.
    """

    ROUTES = {
        ('GET', '/cgi-bin/token'): Route('wx_token', 'token'),
        ('GET', '/sns/jscode2session'):
            Route('wx_jscode2session', 'jscode2session'),
        ('POST', '/cgi-bin/message/subscribe/send'):
            Route('wx_subscribe_send', 'subscribe_send'),
        ('POST', '/wxa/business/getuserriskrank'):
            Route('wx_getuserriskrank', 'getuserriskrank'),
        ('GET', '/sim/health'): Route('sim_health'),
        ('POST', '/sim/reset'): Route('sim_reset'),
        ('POST', '/sim/faults'): Route('sim_faults'),
        ('POST', '/sim/login-code'): Route('sim_login_code'),
        ('POST', '/sim/encrypt'): Route('sim_encrypt'),
        ('GET', '/sim/messages'): Route('sim_messages'),
        ('GET', '/sim/stats'): Route('sim_stats'),
        ('POST', '/sim/expire-tokens'): Route('sim_expire_tokens'),
        ('POST', '/sim/risk-rank'): Route('sim_risk_rank'),
    }

    def __init__(self, state):
        self.state = state

    @property
    def endpoints(self):
        """Names of the WeChat endpoints that faults may target."""
        return {r.endpoint for r in self.ROUTES.values() if r.endpoint}

    # -- dispatch --------------------------------------------------------

    def dispatch(self, request):
        """Route ``request``, apply pending faults, build the Reply."""
        route = self.ROUTES.get((request.method, request.path))
        if route is None:
            return json_reply({'errcode': 404, 'errmsg': 'not found'}, 404)
        try:
            if route.endpoint:
                fault = self.state.count_call(route.endpoint)
                if fault is not None:
                    reply = self.apply_fault(fault)
                    if reply is not None:
                        return reply
            result = getattr(self, route.handler)(request)
        except WeChatError as exc:
            return self.error_reply(route, exc)
        return result if isinstance(result, Reply) else json_reply(result)

    def apply_fault(self, fault):
        """Sleep if asked, then answer the fault's error (None: carry on).

        The sleep happens outside the state lock so other calls proceed.
        """
        if fault.delay:
            time.sleep(fault.delay)
        if fault.http_status:
            return bare_reply(fault.http_status)
        if fault.errcode is not None:
            raise WeChatError(fault.errcode, fault.errmsg)
        return None

    def error_reply(self, route, exc):
        """WeChat APIs answer errors with HTTP 200; the control API with
        400 so a test's misuse cannot pass unnoticed.  The pay half may
        override this to answer XML for its routes."""
        status = exc.status if route.endpoint else 400
        return json_reply(exc.as_dict(), status)

    # -- helpers ---------------------------------------------------------

    def _app_credentials(self, request):
        appid = request.param('appid')
        secret = request.param('secret')
        if not appid:
            raise WeChatError(41002)
        if not secret:
            raise WeChatError(41004)
        self.state.check_app(appid, secret)
        return appid

    def _control_appid(self, body):
        appid = body.get('appid') or self.state.default_appid
        if appid not in self.state.apps:
            raise WeChatError(40013)
        return appid

    @staticmethod
    def _required(body, name, kind=str):
        value = body.get(name)
        if not isinstance(value, kind) or isinstance(value, bool) or (
                isinstance(value, str) and not value):
            raise WeChatError(47003, 'argument invalid! {} is required'
                              .format(name))
        return value

    # -- WeChat API --------------------------------------------------------

    def wx_token(self, request):
        """GET /cgi-bin/token: a new access token on every call."""
        appid = self._app_credentials(request)
        if request.param('grant_type') != 'client_credential':
            raise WeChatError(40002)
        token = self.state.issue_token(appid)
        return {'access_token': token, 'expires_in': self.state.token_ttl}

    def wx_jscode2session(self, request):
        """GET /sns/jscode2session: trade a wx.login() code for a session.

        wechatpy also appends an access_token here; WeChat ignores it
        and so do we.
        """
        appid = self._app_credentials(request)
        grant_type = request.param('grant_type')
        if grant_type not in (None, 'authorization_code'):
            raise WeChatError(40002)
        code = request.param('js_code')
        if not code:
            raise WeChatError(41008)
        user = self.state.redeem_code(appid, code)
        result = {'openid': user.openid, 'session_key': user.session_key}
        if user.unionid:
            result['unionid'] = user.unionid
        return result

    def wx_subscribe_send(self, request):
        """POST /cgi-bin/message/subscribe/send: record the message."""
        appid = self.state.authenticate(request.param('access_token'))
        body = request.json()
        touser = body.get('touser')
        template_id = body.get('template_id')
        data = body.get('data')
        if not touser or not template_id or not isinstance(data, dict):
            raise WeChatError(47003)
        if not self.state.knows_openid(appid, touser):
            raise WeChatError(40003)
        msgid = self.state.record_message({
            'appid': appid,
            'touser': touser,
            'template_id': template_id,
            'page': body.get('page'),
            'data': data,
            'miniprogram_state': body.get('miniprogram_state'),
            'lang': body.get('lang'),
            'received_at': time.time(),
        })
        return {'errcode': 0, 'errmsg': 'ok', 'msgid': msgid}

    def wx_getuserriskrank(self, request):
        """POST /wxa/business/getuserriskrank: 0 unless set by a test.

        ``unoin_id`` (sic) is spelt as WeChat spells it.
        """
        appid = self.state.authenticate(request.param('access_token'))
        body = request.json()
        openid = body.get('openid')
        if not openid or body.get('scene') is None:
            raise WeChatError(47003)
        if body.get('appid') not in (None, appid):
            raise WeChatError(40013)
        if not self.state.knows_openid(appid, openid):
            raise WeChatError(40003)
        return {'errcode': 0, 'errmsg': 'getuserriskrank succ',
                'risk_rank': self.state.risk_rank(appid, openid),
                'unoin_id': self.state.next_serial()}

    # -- control API ---------------------------------------------------------

    def sim_health(self, request):
        return {'ok': True}

    def sim_reset(self, request):
        self.state.reset()
        return {'ok': True}

    def sim_faults(self, request):
        """Queue a fault: errcode/errmsg, delay and/or http_status."""
        body = request.json()
        endpoint = body.get('endpoint')
        if endpoint not in self.endpoints:
            raise WeChatError(47003, 'argument invalid! endpoint must be '
                              'one of ' + ', '.join(sorted(self.endpoints)))
        count = body.get('count', 1)
        errcode = body.get('errcode')
        delay = body.get('delay', 0)
        http_status = body.get('http_status')
        if not (isinstance(count, int) and count > 0) or not (
                isinstance(delay, (int, float)) and delay >= 0):
            raise WeChatError(47003, 'argument invalid! count, delay')
        if errcode is not None and not isinstance(errcode, int):
            raise WeChatError(47003, 'argument invalid! errcode')
        if http_status is not None and not (
                isinstance(http_status, int) and 400 <= http_status < 600):
            raise WeChatError(47003, 'argument invalid! http_status')
        if errcode is None and http_status is None and not delay:
            raise WeChatError(47003, 'argument invalid! a fault needs '
                              'errcode, http_status or delay')
        errmsg = body.get('errmsg') or ERRMSG.get(errcode, 'error')
        self.state.add_fault(endpoint, Fault(
            count, errcode, errmsg, delay, http_status))
        return {'ok': True}

    def sim_login_code(self, request):
        """Play wx.login(): a one-time code for a named user."""
        body = request.json({})
        appid = self._control_appid(body)
        name = self._required(body, 'user')
        user = self.state.user(appid, name, body.get('unionid'))
        result = {'code': self.state.issue_code(user),
                  'openid': user.openid, 'session_key': user.session_key}
        if user.unionid:
            result['unionid'] = user.unionid
        return result

    def sim_encrypt(self, request):
        """Play getPhoneNumber/getUserInfo: encrypt with the session_key.

        The user is created if needed, so tests may encrypt before the
        login; session keys are stable per (app, user) for that reason.
        """
        body = request.json({})
        appid = self._control_appid(body)
        user = self.state.user(appid, self._required(body, 'user'))
        payload = dict(self._required(body, 'data', dict))
        payload['watermark'] = {'appid': appid,
                                'timestamp': int(time.time())}
        encrypted, iv = encrypt_wxa_data(user.session_key, payload)
        return {'encryptedData': encrypted, 'iv': iv}

    def sim_messages(self, request):
        return {'messages': self.state.find_messages(
            appid=request.param('appid'),
            touser=request.param('touser'),
            template_id=request.param('template_id'))}

    def sim_stats(self, request):
        return self.state.stats()

    def sim_expire_tokens(self, request):
        """Expire the app's tokens (every app's when no appid given)."""
        body = request.json({})
        appid = self._control_appid(body) if body.get('appid') else None
        return {'ok': True, 'expired': self.state.expire_tokens(appid)}

    def sim_risk_rank(self, request):
        body = request.json({})
        appid = self._control_appid(body)
        openid = self._required(body, 'openid')
        rank = self._required(body, 'risk_rank', int)
        self.state.set_risk_rank(appid, openid, rank)
        return {'ok': True}


class RequestHandler(BaseHTTPRequestHandler):
    """HTTP glue: build a Request, dispatch it, write the Reply."""

    protocol_version = 'HTTP/1.1'  # keep-alive, as requests.Session uses
    server_version = 'WeChatSimulator/1.0'

    def do_GET(self):
        self._handle('GET')

    def do_POST(self):
        self._handle('POST')

    def _handle(self, method):
        try:
            length = int(self.headers.get('Content-Length') or 0)
            body = self.rfile.read(length) if length > 0 else b''
            request = Request.from_target(method, self.path, body,
                                          self.headers)
            reply = self.server.simulator.dispatch(request)
        except Exception:  # a bug in here must not leak a traceback
            sys.stderr.write(traceback.format_exc())
            reply = json_reply(WeChatError(-1).as_dict(), 500)
        try:
            self.send_response(reply.status)
            self.send_header('Content-Type', reply.content_type)
            self.send_header('Content-Length', str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up, typically on an injected delay.
            self.close_connection = True

    def log_message(self, fmt, *args):
        if not self.server.quiet:
            super().log_message(fmt, *args)


class SimulatorServer(ThreadingHTTPServer):
    """The HTTP server, carrying the Simulator its handlers dispatch to."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, simulator, quiet=False):
        super().__init__(address, RequestHandler)
        self.simulator = simulator
        self.quiet = quiet
        self.thread = None

    @property
    def state(self):
        return self.simulator.state

    @property
    def url(self):
        host, port = self.server_address[:2]
        return 'http://{}:{}'.format(host, port)

    def stop(self):
        """Stop serving and release the socket."""
        if self.thread is not None:
            self.shutdown()
            self.thread.join()
        self.server_close()


def serve(host='127.0.0.1', port=8900, apps=None,
          token_ttl=DEFAULT_TOKEN_TTL, quiet=False):
    """Start a simulator in a daemon thread and return its server.

    ``apps`` maps appid to secret (default: the demo app); ``port`` 0
    picks a free port, read it back from ``server.url``.  Call
    ``server.stop()`` when done.
    """
    state = State(apps or dict([DEFAULT_APP]), token_ttl)
    server = SimulatorServer((host, port), Simulator(state), quiet=quiet)
    server.thread = threading.Thread(
        target=server.serve_forever, kwargs={'poll_interval': 0.1},
        name='wechat-simulator', daemon=True)
    server.thread.start()
    return server


def parse_app(value):
    appid, sep, secret = value.partition(':')
    if not (sep and appid and secret):
        raise argparse.ArgumentTypeError('expected APPID:SECRET')
    return appid, secret


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8900,
                        help='0 picks a free port')
    parser.add_argument('--app', action='append', type=parse_app,
                        metavar='APPID:SECRET',
                        help='repeatable; default {}:{}'.format(*DEFAULT_APP))
    parser.add_argument('--token-ttl', type=int, default=DEFAULT_TOKEN_TTL,
                        help='access token lifetime in seconds')
    parser.add_argument('--quiet', action='store_true',
                        help='do not log requests to stderr')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    apps = dict(args.app or [DEFAULT_APP])
    try:
        server = serve(args.host, args.port, apps, args.token_ttl,
                       quiet=args.quiet)
    except OSError as exc:
        sys.stderr.write('cannot listen on {}:{}: {}\n'.format(
            args.host, args.port, exc))
        return 1
    print('WeChat simulator listening on ' + server.url, flush=True)
    stopping = threading.Event()

    def request_stop(signum, frame):
        stopping.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    while not stopping.wait(0.5):
        pass
    server.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())

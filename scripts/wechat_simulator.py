#!/usr/bin/env python3
"""In-memory simulator of the WeChat server API, for tests and local runs.

Why it exists: our addons talk to WeChat through wechatpy, and the real
API cannot be reached from CI, cannot hand out login codes on demand and
cannot be made to fail on purpose.  This server speaks the same HTTP/JSON
as ``api.weixin.qq.com`` for the calls we make, checks credentials the
way WeChat does (same errcodes), and adds a control API under ``/sim/``
through which tests create users and login codes, read what was "sent",
expire tokens and inject faults.

The mini-program half: access tokens, ``jscode2session``, subscribe
messages, ``getuserriskrank`` and the AES ``encryptedData`` that
``wx.getPhoneNumber`` / ``wx.getUserInfo`` hand to the front end.

The pay half (WeChat Pay API v2 as ``api.mch.weixin.qq.com`` speaks it:
XML bodies, MD5 or HMAC-SHA256 signatures with the merchant API key):
``unifiedorder``, ``orderquery``, ``closeorder``, ``refund``,
``refundquery``, ``downloadbill``, ``transfers`` and
``gettransferinfo``.  The user "pays" through ``POST /sim/pay``; the
simulator then posts the signed pay notify to the order's
``notify_url``, retrying on WeChat's schedule (compressed by
``--notify-time-scale``) until the receiver answers
``<return_code>SUCCESS</return_code>``.  That notify can be made late,
duplicated or lost (``/sim/pay`` fields), since WeChat's are.  Refunds
succeed at once with ``--auto-refund`` (the default), else through
``POST /sim/refund-result``; their notify carries the AES-256-ECB
``req_info`` WeChat sends.  ``/sim/settings`` changes auto refund and
the refund notify delay at run time.  Point wechatpy at it with
``WeChatPay(...).API_BASE_URL = server.url + '/'``.

Layout:

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
        [--mch MCHID:APIKEY:APPID ...] [--notify-time-scale 0.01]
        [--auto-refund | --no-auto-refund] [--fee-rate 0.006]
"""

import argparse
import base64
import collections
import datetime
import decimal
import hashlib
import hmac
import json
import math
import os
import re
import secrets
import signal
import sys
import threading
import time
import traceback
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

DEFAULT_APP = ('wxd0000000000demo', 'demo-app-secret-0000000000000000')
DEFAULT_TOKEN_TTL = 7200
# mch_id, API key (32 characters, like a real one), appid of the merchant
DEFAULT_MERCHANT = ('1900000109', 'demo-mch-api-key-000000000000000',
                    'wxd0000000000demo')
# WeChat's pay notify retry intervals in seconds (15s/15s/30s/3m/...).
NOTIFY_SCHEDULE = (15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600,
                   10800, 10800, 10800, 21600, 21600)
DEFAULT_NOTIFY_TIME_SCALE = 0.01
NOTIFY_TIMEOUT = 5
MIN_TRANSFER_FEN = 30
MAX_REFUNDS_PER_ORDER = 50
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))  # no DST
DEFAULT_FEE_RATE = 0.006  # WeChat's usual 0.6 % on each payment
MAX_NOTIFY_COPIES = 10  # duplicates come in handfuls, not thousands
TRANSFER_IDS = ('mch_appid', 'mchid')  # transfers spell them this way

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


class PayFail(WeChatError):
    """A pay request refused as a whole: ``return_code`` FAIL with
    ``return_msg`` (bad XML, unknown merchant, bad signature...).

    ``error_code`` is downloadbill's extra numeric code (20001 bad
    parameter, 20002 no bill): that API has no result_code to carry it.
    """

    def __init__(self, return_msg, error_code=None):
        super().__init__(-1, return_msg)
        self.error_code = error_code


class PayError(WeChatError):
    """A pay business error: ``result_code`` FAIL with ``err_code`` and
    ``err_code_des``, in an otherwise normal (signed) answer."""

    def __init__(self, err_code, err_code_des=None):
        super().__init__(-1, err_code_des or err_code)
        self.err_code = err_code


class Conflict(WeChatError):
    """A control API request that the order's state forbids (HTTP 409)."""

    def __init__(self, message):
        super().__init__(47003, message, status=409)


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


def xml_text(fields, root='xml'):
    """Fields as WeChat Pay XML: sorted, digits bare, text in CDATA,
    ``sign`` last."""
    parts = ['<{}>'.format(root)]
    keys = sorted(k for k in fields if k != 'sign')
    if 'sign' in fields:
        keys.append('sign')
    for key in keys:
        value = str(fields[key])
        if not (value.isascii() and value.isdigit()):
            value = '<![CDATA[{}]]>'.format(
                value.replace(']]>', ']]]]><![CDATA[>'))
        parts.append('<{0}>{1}</{0}>'.format(key, value))
    parts.append('</{}>'.format(root))
    return ''.join(parts)


def xml_reply(fields, status=200):
    body = xml_text(fields).encode('utf-8')
    return Reply(status, 'text/xml; charset=utf-8', body)


def parse_pay_xml(body):
    """A ``<xml>`` body as a flat dict of strings, else return_code FAIL.

    Values are kept verbatim (no stripping): they are signed as sent.
    """
    if b'<!DOCTYPE' in body.upper() or b'<!ENTITY' in body.upper():
        raise PayFail('XML格式错误')
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        raise PayFail('XML格式错误')
    if root.tag != 'xml':
        raise PayFail('XML格式错误')
    return {child.tag: child.text or '' for child in root}


def pay_sign(params, api_key, sign_type='MD5'):
    """WeChat Pay v2 signature: ``k=v`` of the non-empty parameters but
    ``sign``, sorted, joined by ``&``, plus ``&key=API_KEY``; MD5 (or
    HMAC-SHA256 keyed with the API key) as uppercase hex."""
    text = '&'.join('{}={}'.format(key, params[key])
                    for key in sorted(params)
                    if key != 'sign' and params[key] not in (None, ''))
    text = (text + '&key=' + api_key).encode('utf-8')
    if sign_type == 'HMAC-SHA256':
        digest = hmac.new(api_key.encode('utf-8'), text, hashlib.sha256)
    else:
        digest = hashlib.md5(text)
    return digest.hexdigest().upper()


def encrypt_refund_info(api_key, fields):
    """The ``req_info`` of a refund notify: base64 of AES-256-ECB with
    PKCS#7 over ``<root>...</root>``, key = md5(API key) lowercase hex."""
    key = hashlib.md5(api_key.encode('utf-8')).hexdigest().encode('ascii')
    padder = padding.PKCS7(128).padder()
    padded = padder.update(xml_text(fields, 'root').encode('utf-8'))
    padded += padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    ciphertext = encryptor.update(padded) + encryptor.finalize()
    return base64.b64encode(ciphertext).decode('ascii')


def pay_time(timestamp=None, fmt='%Y%m%d%H%M%S'):
    """A time as WeChat Pay writes it, in Asia/Shanghai."""
    moment = datetime.datetime.fromtimestamp(
        time.time() if timestamp is None else timestamp, SHANGHAI)
    return moment.strftime(fmt)


def parse_pay_time(value, name):
    """``yyyyMMddHHmmss`` (Asia/Shanghai) as a timestamp; None if empty."""
    if not value:
        return None
    try:
        moment = datetime.datetime.strptime(value, '%Y%m%d%H%M%S')
    except ValueError:
        raise PayError('PARAM_ERROR', '{}时间格式错误'.format(name))
    return moment.replace(tzinfo=SHANGHAI).timestamp()


def parse_fen(value, name):
    """A positive amount in fen, else PARAM_ERROR."""
    if not re.fullmatch(r'[1-9][0-9]{0,9}', value or ''):
        raise PayError('PARAM_ERROR', '{}参数格式错误'.format(name))
    return int(value)


def yuan(fen):
    """Fen as the bills write money: yuan with two decimals, ``-0.02``."""
    sign = '-' if fen < 0 else ''
    return '{}{}.{:02d}'.format(sign, abs(fen) // 100, abs(fen) % 100)


def fee_of(fen, rate):
    """WeChat's fee on an amount in fen: ``rate`` of it, rounded half up
    to the fen (Decimal, so 750 fen at 0.6 % is 5 fen, not 4)."""
    fee = decimal.Decimal(fen) * decimal.Decimal(str(rate))
    return int(fee.quantize(decimal.Decimal(1), decimal.ROUND_HALF_UP))


def bill_row(values):
    """One bill line: every value behind a backquote, which keeps Excel
    from reading ids as numbers; values are neither quoted nor escaped."""
    return ','.join('`{}'.format('' if value is None else value)
                    for value in values)


def is_seconds(value):
    """A control API duration: a finite number >= 0 (a bool is not)."""
    return isinstance(value, (int, float)) and not isinstance(
        value, bool) and math.isfinite(value) and value >= 0


def notify_acknowledged(answer):
    try:
        return parse_pay_xml(answer).get('return_code') == 'SUCCESS'
    except PayFail:
        return False


def post_xml(url, body):
    """POST ``body``; (HTTP status or None, answer bytes)."""
    request = urllib.request.Request(
        url, data=body, headers={'Content-Type': 'text/xml'})
    try:
        with urllib.request.urlopen(request, timeout=NOTIFY_TIMEOUT) as res:
            return res.status, res.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (OSError, ValueError) as exc:  # URLError, timeouts, bad URL
        return None, str(exc).encode('utf-8')


# downloadbill's layout, as WeChat's bill of all (ALL) transactions.
BILL_HEADER = ('交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,'
               '用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,'
               '微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,'
               '商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注')
BILL_SUMMARY_HEADER = ('总交易单数,应结订单总金额,退款总金额,充值券退款总金额,'
                       '手续费总金额,订单总金额,申请退款总金额')
BILL_TYPES = ('ALL', 'SUCCESS', 'REFUND', 'REVOKED')


class Merchant(collections.namedtuple('Merchant', 'mch_id api_key appid')):
    __slots__ = ()


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
                 http_status=None, err_code=None, err_code_des=None):
        self.remaining = remaining
        self.errcode = errcode
        self.errmsg = errmsg
        self.delay = delay
        self.http_status = http_status
        self.err_code = err_code  # pay endpoints: result_code FAIL
        self.err_code_des = err_code_des

    @property
    def slow_answer(self):
        """A delay and nothing else: the call takes effect, its answer
        is late (see ``Simulator.dispatch``)."""
        return bool(self.delay) and self.http_status is None and \
            self.errcode is None and not self.err_code


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

    def __init__(self, apps, token_ttl=DEFAULT_TOKEN_TTL, merchants=None,
                 notify_time_scale=DEFAULT_NOTIFY_TIME_SCALE,
                 auto_refund=True, fee_rate=DEFAULT_FEE_RATE):
        if not apps:
            raise ValueError('at least one app is required')
        self.apps = dict(apps)  # appid -> secret; first one is default
        self.token_ttl = token_ttl
        if merchants is None:
            merchants = {DEFAULT_MERCHANT[0]: DEFAULT_MERCHANT[1:]}
        # mch_id -> Merchant; the first one is the control API's default
        self.merchants = collections.OrderedDict(
            (mch_id, Merchant(mch_id, key, appid))
            for mch_id, (key, appid) in merchants.items())
        self.notify_time_scale = notify_time_scale
        self.fee_rate = fee_rate
        # What /sim/settings may change, as configured: reset restores it.
        self.configured = {'auto_refund': auto_refund,
                           'refund_notify_delay': 0}
        self.epoch = 0  # bumped by reset: pending notifies then stop
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
            self.orders = {}  # (mch_id, out_trade_no) -> dict
            self.transactions = {}  # transaction_id -> orders key
            self.refunds = {}  # (mch_id, out_refund_no) -> dict
            self.transfers = {}  # (mchid, partner_trade_no) -> dict
            self.notifies = []  # every delivery attempt
            self.auto_refund = self.configured['auto_refund']
            self.refund_notify_delay = self.configured['refund_notify_delay']
            self.epoch += 1

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

    # -- pay: orders -----------------------------------------------------

    def new_id(self, prefix, width):
        """A unique all-digit id: prefix, date, serial, like WeChat's."""
        serial = str(self.next_serial())
        head = prefix + pay_time(fmt='%Y%m%d')
        return head + serial.rjust(width - len(head), '0')

    def put_order(self, merchant, fields):
        """Create an order, or give back the unpaid one with that number
        (same prepay_id) when the amount is unchanged, like WeChat."""
        key = merchant.mch_id, fields['out_trade_no']
        with self.lock:
            order = self.orders.get(key)
            if order is not None:
                if order['state'] == 'CLOSED':
                    raise PayError('ORDERCLOSED', '订单已关闭')
                if order['state'] != 'NOTPAY':
                    raise PayError('ORDERPAID', '该订单已支付')
                if order['total_fee'] != fields['total_fee']:
                    raise PayError('INVALID_REQUEST', '201 商户订单号重复')
                return dict(order)
            order = dict(fields, mch_id=merchant.mch_id,
                         appid=merchant.appid, state='NOTPAY',
                         prepay_id='wx{}{}'.format(
                             pay_time(), secrets.token_hex(11)),
                         transaction_id=None, time_end=None, bank_type=None,
                         created_at=time.time(), refunds=[],
                         notify_xml=None)
            self.orders[key] = order
            return dict(order)

    def _order(self, mch_id, out_trade_no=None, transaction_id=None):
        key = self.transactions.get(transaction_id) if transaction_id \
            else (mch_id, out_trade_no)
        order = self.orders.get(key)
        if order is None or order['mch_id'] != mch_id:
            raise PayError('ORDERNOTEXIST', '此交易订单号不存在')
        return order

    def find_order(self, mch_id, out_trade_no=None, transaction_id=None):
        """A copy of the order, with its refunds, or ORDERNOTEXIST."""
        with self.lock:
            return self._order_view(
                self._order(mch_id, out_trade_no, transaction_id))

    def _order_view(self, order):
        view = dict(order)
        view['refunds'] = [dict(self.refunds[order['mch_id'], no])
                           for no in order['refunds']]
        view['trade_state'] = (
            'REFUND' if order['state'] == 'SUCCESS' and order['refunds']
            else order['state'])
        return view

    def list_orders(self, out_trade_no=None):
        with self.lock:
            return [self._order_view(order)
                    for order in self.orders.values()
                    if out_trade_no in (None, order['out_trade_no'])]

    def pay_order(self, mch_id, out_trade_no, bank_type='OTHERS'):
        """The user pays: SUCCESS, ids and the signed notify body."""
        merchant = self.merchants[mch_id]
        with self.lock:
            try:
                order = self._order(mch_id, out_trade_no)
            except PayError:
                raise Conflict('no such order: ' + out_trade_no)
            if order['state'] != 'NOTPAY':
                raise Conflict('order is {}'.format(order['state']))
            if order['time_expire'] and order['time_expire'] <= time.time():
                raise Conflict('order expired')
            order['state'] = 'SUCCESS'
            order['transaction_id'] = self.new_id('42000', 28)
            order['time_end'] = pay_time()
            order['bank_type'] = bank_type
            if not order['openid']:
                order['openid'] = make_openid(merchant.appid, 'payer')
            self.transactions[order['transaction_id']] = (
                mch_id, out_trade_no)
            notify = {
                'return_code': 'SUCCESS', 'result_code': 'SUCCESS',
                'appid': merchant.appid, 'mch_id': mch_id,
                'nonce_str': secrets.token_hex(16),
                'openid': order['openid'], 'is_subscribe': 'N',
                'out_trade_no': out_trade_no,
                'transaction_id': order['transaction_id'],
                'total_fee': order['total_fee'],
                'cash_fee': order['total_fee'], 'fee_type': 'CNY',
                'time_end': order['time_end'],
                'trade_type': order['trade_type'], 'bank_type': bank_type,
                'attach': order['attach'], 'device_info': order['device_info'],
            }
            notify = {k: v for k, v in notify.items() if v not in (None, '')}
            notify['sign'] = pay_sign(notify, merchant.api_key)
            order['notify_xml'] = xml_text(notify)
            return dict(order)

    def close_order(self, mch_id, out_trade_no):
        with self.lock:
            order = self._order(mch_id, out_trade_no)
            if order['state'] != 'NOTPAY' and order['state'] != 'CLOSED':
                raise PayError('ORDERPAID', '订单已支付，不能发起关单')
            order['state'] = 'CLOSED'

    # -- pay: refunds and transfers ------------------------------------------

    def add_refund(self, mch_id, fields, out_trade_no=None,
                   transaction_id=None):
        """Record a refund (PROCESSING); the same out_refund_no again
        gives back the first one.  Returns (refund, created)."""
        with self.lock:
            order = self._order(mch_id, out_trade_no, transaction_id)
            existing = self.refunds.get((mch_id, fields['out_refund_no']))
            if existing is not None:
                if existing['out_trade_no'] != order['out_trade_no'] or \
                        existing['refund_fee'] != fields['refund_fee']:
                    raise PayError('INVALID_REQUEST',
                                   '订单金额或退款金额与之前请求不一致，'
                                   '请核实后再试')
                return dict(existing), False
            if order['state'] != 'SUCCESS':
                raise PayError('TRADE_STATE_ERROR', '订单状态错误')
            if fields['total_fee'] != order['total_fee']:
                raise PayError('INVALID_REQUEST', '订单金额或退款金额与之前'
                               '请求不一致，请核实后再试')
            if len(order['refunds']) >= MAX_REFUNDS_PER_ORDER:
                raise PayError('INVALID_REQUEST', '一笔订单最多只能退款'
                               '{}次'.format(MAX_REFUNDS_PER_ORDER))
            refunded = sum(
                self.refunds[mch_id, no]['refund_fee']
                for no in order['refunds']
                if self.refunds[mch_id, no]['refund_status']
                in ('PROCESSING', 'SUCCESS'))
            if refunded + fields['refund_fee'] > order['total_fee']:
                raise PayError('INVALID_REQUEST', '退款金额大于支付金额')
            refund = dict(fields, mch_id=mch_id,
                          out_trade_no=order['out_trade_no'],
                          transaction_id=order['transaction_id'],
                          refund_id=self.new_id('50000', 29),
                          refund_status='PROCESSING', success_time=None,
                          created_at=time.time())
            self.refunds[mch_id, refund['out_refund_no']] = refund
            order['refunds'].append(refund['out_refund_no'])
            return dict(refund), True

    def find_refunds(self, mch_id, params):
        """The refunds a refundquery asks for, by the most precise id."""
        with self.lock:
            if params.get('refund_id'):
                found = [r for r in self.refunds.values()
                         if r['mch_id'] == mch_id
                         and r['refund_id'] == params['refund_id']]
            elif params.get('out_refund_no'):
                refund = self.refunds.get((mch_id, params['out_refund_no']))
                found = [refund] if refund else []
            else:
                try:
                    order = self._order(mch_id, params.get('out_trade_no'),
                                        params.get('transaction_id'))
                except PayError:
                    order = {'refunds': []}
                found = [self.refunds[mch_id, no] for no in order['refunds']]
            if not found:
                raise PayError('REFUNDNOTEXIST', '退款订单查询失败')
            order = self.orders[mch_id, found[0]['out_trade_no']]
            return dict(order), [dict(r) for r in found]

    def finish_refund(self, out_refund_no, status, mch_id=None):
        """PROCESSING -> SUCCESS / CHANGE / REFUNDCLOSE; the refund."""
        with self.lock:
            refund = next((r for r in self.refunds.values()
                           if r['out_refund_no'] == out_refund_no
                           and mch_id in (None, r['mch_id'])), None)
            if refund is None:
                raise Conflict('no such refund: ' + out_refund_no)
            if refund['refund_status'] != 'PROCESSING':
                raise Conflict('refund is ' + refund['refund_status'])
            refund['refund_status'] = status
            if status == 'SUCCESS':
                refund['success_time'] = pay_time(fmt='%Y-%m-%d %H:%M:%S')
            return dict(refund)

    def add_transfer(self, mch_id, fields):
        """Idempotent on partner_trade_no, like WeChat."""
        key = mch_id, fields['partner_trade_no']
        with self.lock:
            transfer = self.transfers.get(key)
            if transfer is None:
                transfer = self.transfers[key] = dict(
                    fields, mchid=mch_id, status='SUCCESS',
                    payment_no=self.new_id('10000', 28),
                    payment_time=pay_time(fmt='%Y-%m-%d %H:%M:%S'))
            return dict(transfer)

    def list_transfers(self, partner_trade_no=None):
        with self.lock:
            return [dict(transfer) for transfer in self.transfers.values()
                    if partner_trade_no in (None,
                                            transfer['partner_trade_no'])]

    def find_transfer(self, mch_id, partner_trade_no):
        with self.lock:
            transfer = self.transfers.get((mch_id, partner_trade_no))
            if transfer is None:
                raise PayError('NOT_FOUND', '指定单号数据不存在')
            return dict(transfer)

    # -- pay: bills -----------------------------------------------------------

    def bill_entries(self, mch_id, day):
        """What the bill of ``day`` (``YYYYMMDD``, Asia/Shanghai) is made
        of: copies of the merchant's orders paid that day, and of its
        refunds that succeeded that day with their orders, as
        (payments, [(refund, order)])."""
        with self.lock:
            payments = [dict(order) for order in self.orders.values()
                        if order['mch_id'] == mch_id
                        and (order['time_end'] or '')[:8] == day]
            refunds = [
                (dict(refund),
                 dict(self.orders[mch_id, refund['out_trade_no']]))
                for refund in self.refunds.values()
                if refund['mch_id'] == mch_id
                and refund['refund_status'] == 'SUCCESS'
                and refund['success_time'][:10].replace('-', '') == day]
            return payments, refunds

    # -- pay: notifies --------------------------------------------------------

    def record_notify(self, attempt, epoch):
        with self.lock:
            if epoch == self.epoch:
                self.notifies.append(attempt)

    def list_notifies(self, **filters):
        wanted = {k: v for k, v in filters.items() if v is not None}
        with self.lock:
            return [dict(n) for n in self.notifies
                    if all(n.get(k) == v for k, v in wanted.items())]

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

    # -- settings -------------------------------------------------------------

    def settings(self):
        with self.lock:
            return {name: getattr(self, name) for name in self.configured}

    def update_settings(self, changes):
        """Apply validated ``changes``; they last until the next reset."""
        with self.lock:
            for name, value in changes.items():
                setattr(self, name, value)
            return self.settings()


class Route(collections.namedtuple('Route', 'handler endpoint xml',
                                   defaults=(None, False))):
    """``handler`` names a Simulator method; ``endpoint`` is the name
    used by /sim/faults and /sim/stats (None: control API); ``xml``
    marks WeChat Pay routes, which answer errors in XML."""

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
        ('POST', '/pay/unifiedorder'):
            Route('pay_unifiedorder', 'unifiedorder', True),
        ('POST', '/pay/orderquery'):
            Route('pay_orderquery', 'orderquery', True),
        ('POST', '/pay/closeorder'):
            Route('pay_closeorder', 'closeorder', True),
        ('POST', '/secapi/pay/refund'): Route('pay_refund', 'refund', True),
        ('POST', '/pay/refundquery'):
            Route('pay_refundquery', 'refundquery', True),
        ('POST', '/pay/downloadbill'):
            Route('pay_downloadbill', 'downloadbill', True),
        ('POST', '/mmpaymkttransfers/promotion/transfers'):
            Route('pay_transfers', 'transfers', True),
        ('POST', '/mmpaymkttransfers/gettransferinfo'):
            Route('pay_gettransferinfo', 'gettransferinfo', True),
        ('GET', '/sim/health'): Route('sim_health'),
        ('POST', '/sim/reset'): Route('sim_reset'),
        ('POST', '/sim/faults'): Route('sim_faults'),
        ('POST', '/sim/login-code'): Route('sim_login_code'),
        ('POST', '/sim/encrypt'): Route('sim_encrypt'),
        ('GET', '/sim/messages'): Route('sim_messages'),
        ('GET', '/sim/stats'): Route('sim_stats'),
        ('POST', '/sim/expire-tokens'): Route('sim_expire_tokens'),
        ('POST', '/sim/risk-rank'): Route('sim_risk_rank'),
        ('POST', '/sim/pay'): Route('sim_pay'),
        ('POST', '/sim/notify-again'): Route('sim_notify_again'),
        ('POST', '/sim/refund-result'): Route('sim_refund_result'),
        ('GET', '/sim/orders'): Route('sim_orders'),
        ('GET', '/sim/notifies'): Route('sim_notifies'),
        ('GET', '/sim/transfers'): Route('sim_transfers'),
        ('GET', '/sim/settings'): Route('sim_settings'),
        ('POST', '/sim/settings'): Route('sim_update_settings'),
    }

    def __init__(self, state):
        self.state = state

    @property
    def endpoints(self):
        """Names of the WeChat endpoints that faults may target."""
        return {r.endpoint for r in self.ROUTES.values() if r.endpoint}

    # -- dispatch --------------------------------------------------------

    def dispatch(self, request):
        """Route ``request``, apply pending faults, build the Reply.

        A fault that is only a delay is a slow answer: the call takes
        effect when it arrives and its answer leaves ``delay`` seconds
        later, so a client that has timed out meanwhile has still been
        paid, refunded or given a token, as with WeChat -- what retries
        with the same out_refund_no or partner_trade_no must survive.
        A delay with an error is a slow failure: nothing takes effect.
        """
        route = self.ROUTES.get((request.method, request.path))
        if route is None:
            return json_reply({'errcode': 404, 'errmsg': 'not found'}, 404)
        fault = self.state.count_call(route.endpoint) \
            if route.endpoint else None
        if fault is not None and fault.slow_answer:
            reply = self._answer(route, request)
            time.sleep(fault.delay)  # outside the state lock
            return reply
        return self._answer(route, request, fault)

    def _answer(self, route, request, fault=None):
        """The Reply of ``route``'s handler, or of ``fault`` first."""
        try:
            if fault is not None:
                reply = self.apply_fault(fault)
                if reply is not None:
                    return reply
            result = getattr(self, route.handler)(request)
        except WeChatError as exc:
            return self.error_reply(route, exc, request)
        except Exception:
            if not route.xml:
                raise
            sys.stderr.write(traceback.format_exc())
            return xml_reply({'return_code': 'FAIL',
                              'return_msg': 'SYSTEMERROR'}, 500)
        return result if isinstance(result, Reply) else json_reply(result)

    def apply_fault(self, fault):
        """Sleep if asked, then answer the fault's error (None: carry on).

        The sleep happens outside the state lock so other calls proceed.
        """
        if fault.delay:
            time.sleep(fault.delay)
        if fault.http_status:
            return bare_reply(fault.http_status)
        if fault.err_code:
            raise PayError(fault.err_code, fault.err_code_des)
        if fault.errcode is not None:
            raise WeChatError(fault.errcode, fault.errmsg)
        return None

    def error_reply(self, route, exc, request=None):
        """WeChat APIs answer errors with HTTP 200; the control API with
        400 (409 for a state conflict) so a test's misuse cannot pass
        unnoticed.  Pay routes answer XML: ``PayError`` as result_code
        FAIL (signed when the merchant is known), anything else as
        return_code FAIL."""
        if route.xml:
            if not isinstance(exc, PayError):
                fields = {'return_code': 'FAIL', 'return_msg': exc.errmsg}
                if getattr(exc, 'error_code', None):
                    fields['error_code'] = exc.error_code
                return xml_reply(fields)
            return self._pay_reply(
                self._merchant_of(request), route.endpoint,
                {'result_code': 'FAIL', 'err_code': exc.err_code,
                 'err_code_des': exc.errmsg})
        status = exc.status if route.endpoint else max(exc.status, 400)
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

    # -- WeChat Pay API v2 ----------------------------------------------------

    def _merchant_of(self, request):
        """The merchant a pay request names, if any (for error replies)."""
        try:
            params = parse_pay_xml(request.body)
        except PayFail:
            return None
        return self.state.merchants.get(
            params.get('mch_id') or params.get('mchid') or '')

    def _pay_request(self, request, ids=('appid', 'mch_id')):
        """Parse and authenticate a pay request: (params, Merchant).

        Checks as WeChat does, answering return_code FAIL: known mch_id,
        appid belonging to it, nonce_str, then the signature.
        """
        params = parse_pay_xml(request.body)
        appid_field, mch_field = ids
        for name in (mch_field, appid_field, 'nonce_str', 'sign'):
            if not params.get(name):
                raise PayFail('缺少参数' + name)
        merchant = self.state.merchants.get(params[mch_field])
        if merchant is None:
            raise PayFail('mch_id参数格式错误')
        if params[appid_field] != merchant.appid:
            raise PayFail('appid和mch_id不匹配')
        sign_type = params.get('sign_type') or 'MD5'
        if sign_type not in ('MD5', 'HMAC-SHA256'):
            raise PayFail('sign_type参数格式错误')
        expected = pay_sign(params, merchant.api_key, sign_type)
        if not hmac.compare_digest(params['sign'].encode('utf-8'),
                                   expected.encode('ascii')):
            raise PayFail('签名错误')
        return params, merchant

    def _pay_reply(self, merchant, endpoint, fields):
        """A return_code SUCCESS answer.  Signed with the merchant key,
        except for transfers, which WeChat does not sign."""
        transfer = endpoint in ('transfers', 'gettransferinfo')
        answer = {'return_code': 'SUCCESS', 'return_msg': 'OK',
                  'result_code': 'SUCCESS',
                  'nonce_str': secrets.token_hex(16)}
        if merchant is not None:
            appid_field, mch_field = (
                TRANSFER_IDS if endpoint == 'transfers'
                else ('appid', 'mch_id'))
            answer[appid_field] = merchant.appid
            answer[mch_field] = merchant.mch_id
        answer.update((k, str(v)) for k, v in fields.items()
                      if v not in (None, ''))
        if merchant is not None and not transfer:
            answer['sign'] = pay_sign(answer, merchant.api_key)
        return xml_reply(answer)

    @staticmethod
    def _require(params, *names):
        for name in names:
            if not params.get(name):
                raise PayError('PARAM_ERROR', '缺少参数' + name)

    def pay_unifiedorder(self, request):
        """POST /pay/unifiedorder: create the order, give a prepay_id."""
        params, merchant = self._pay_request(request)
        self._require(params, 'body', 'out_trade_no', 'total_fee',
                      'spbill_create_ip', 'notify_url', 'trade_type')
        out_trade_no = params['out_trade_no']
        if len(out_trade_no) > 32:
            raise PayError('PARAM_ERROR', 'out_trade_no参数长度有误')
        trade_type = params['trade_type']
        if trade_type not in ('JSAPI', 'NATIVE', 'APP', 'MWEB'):
            raise PayError('PARAM_ERROR', 'trade_type参数格式错误')
        if trade_type == 'JSAPI' and not params.get('openid'):
            raise PayError('PARAM_ERROR', 'trade_type=JSAPI时（即JSAPI支付）'
                           '，此参数必传，用户在商户appid下的唯一标识')
        order = self.state.put_order(merchant, {
            'out_trade_no': out_trade_no,
            'total_fee': parse_fen(params['total_fee'], 'total_fee'),
            'body': params['body'], 'trade_type': trade_type,
            'openid': params.get('openid'),
            'notify_url': params['notify_url'],
            'attach': params.get('attach'),
            'device_info': params.get('device_info'),
            'time_expire': parse_pay_time(params.get('time_expire'),
                                          'time_expire'),
        })
        fields = {'trade_type': trade_type, 'prepay_id': order['prepay_id'],
                  'device_info': order['device_info']}
        if trade_type == 'NATIVE':
            fields['code_url'] = 'weixin://wxpay/bizpayurl?pr=' + \
                order['prepay_id'][-12:]
        if trade_type == 'MWEB':
            fields['mweb_url'] = ('https://wx.tenpay.com/cgi-bin/mmpayweb-bin'
                                  '/checkmweb?prepay_id=' + order['prepay_id'])
        return self._pay_reply(merchant, 'unifiedorder', fields)

    def _order_ids(self, params):
        if not params.get('transaction_id') and \
                not params.get('out_trade_no'):
            raise PayError('PARAM_ERROR',
                           'transaction_id或者out_trade_no必须填写一个')
        return {'out_trade_no': params.get('out_trade_no'),
                'transaction_id': params.get('transaction_id')}

    def pay_orderquery(self, request):
        """POST /pay/orderquery: NOTPAY / SUCCESS / REFUND / CLOSED."""
        params, merchant = self._pay_request(request)
        order = self.state.find_order(merchant.mch_id,
                                      **self._order_ids(params))
        state = order['trade_state']
        fields = {'out_trade_no': order['out_trade_no'],
                  'trade_state': state, 'attach': order['attach'],
                  'device_info': order['device_info'],
                  'trade_state_desc': {
                      'NOTPAY': '订单未支付', 'SUCCESS': '支付成功',
                      'REFUND': '转入退款', 'CLOSED': '已关闭'}[state]}
        if order['transaction_id']:
            fields.update(
                transaction_id=order['transaction_id'],
                total_fee=order['total_fee'], cash_fee=order['total_fee'],
                fee_type='CNY', time_end=order['time_end'],
                openid=order['openid'], is_subscribe='N',
                trade_type=order['trade_type'],
                bank_type=order['bank_type'])
        return self._pay_reply(merchant, 'orderquery', fields)

    def pay_closeorder(self, request):
        """POST /pay/closeorder: NOTPAY -> CLOSED, ORDERPAID if paid."""
        params, merchant = self._pay_request(request)
        self._require(params, 'out_trade_no')
        self.state.close_order(merchant.mch_id, params['out_trade_no'])
        return self._pay_reply(merchant, 'closeorder', {})

    def pay_refund(self, request):
        """POST /secapi/pay/refund (no client certificate checked).

        Idempotent on out_refund_no.  With auto refund the refund has
        succeeded when the answer leaves; its notify follows.
        """
        params, merchant = self._pay_request(request)
        ids = self._order_ids(params)
        self._require(params, 'out_refund_no', 'total_fee', 'refund_fee')
        if len(params['out_refund_no']) > 64:
            raise PayError('PARAM_ERROR', 'out_refund_no参数长度有误')
        refund, created = self.state.add_refund(merchant.mch_id, {
            'out_refund_no': params['out_refund_no'],
            'total_fee': parse_fen(params['total_fee'], 'total_fee'),
            'refund_fee': parse_fen(params['refund_fee'], 'refund_fee'),
            'notify_url': params.get('notify_url'),
            'refund_desc': params.get('refund_desc'),
        }, **ids)
        if created and self.state.auto_refund:
            self._finish_refund(refund['out_refund_no'], 'SUCCESS',
                                merchant.mch_id,
                                self.state.refund_notify_delay)
        return self._pay_reply(merchant, 'refund', {
            'transaction_id': refund['transaction_id'],
            'out_trade_no': refund['out_trade_no'],
            'out_refund_no': refund['out_refund_no'],
            'refund_id': refund['refund_id'],
            'refund_channel': '',
            'refund_fee': refund['refund_fee'],
            'settlement_refund_fee': refund['refund_fee'],
            'total_fee': refund['total_fee'],
            'cash_fee': refund['total_fee'],
            'cash_refund_fee': refund['refund_fee'],
        })

    def pay_refundquery(self, request):
        """POST /pay/refundquery: WeChat's ``_$n`` indexed fields."""
        params, merchant = self._pay_request(request)
        if not any(params.get(name) for name in (
                'refund_id', 'out_refund_no', 'transaction_id',
                'out_trade_no')):
            raise PayError('PARAM_ERROR', '缺少参数')
        order, refunds = self.state.find_refunds(merchant.mch_id, params)
        fields = {'transaction_id': order['transaction_id'],
                  'out_trade_no': order['out_trade_no'],
                  'total_fee': order['total_fee'],
                  'cash_fee': order['total_fee'],
                  'refund_count': len(refunds),
                  'refund_fee': sum(r['refund_fee'] for r in refunds)}
        for index, refund in enumerate(refunds):
            for name, value in (
                    ('out_refund_no', refund['out_refund_no']),
                    ('refund_id', refund['refund_id']),
                    ('refund_channel', 'ORIGINAL'),
                    ('refund_fee', refund['refund_fee']),
                    ('settlement_refund_fee', refund['refund_fee']),
                    ('refund_status', refund['refund_status']),
                    ('refund_account', 'REFUND_SOURCE_UNSETTLED_FUNDS'),
                    ('refund_recv_accout', '支付用户零钱'),
                    ('refund_success_time', refund['success_time'])):
                fields['{}_{}'.format(name, index)] = value
        return self._pay_reply(merchant, 'refundquery', fields)

    def pay_downloadbill(self, request):
        """POST /pay/downloadbill: a day's bill, as WeChat's UTF-8 text.

        ``bill_date`` is an Asia/Shanghai day, ``YYYYMMDD``.  WeChat
        publishes a day's bill the next morning; today's is served here
        as it stands so that a test can pay and reconcile at once.  A
        future day is refused, as WeChat refuses it.

        One line per order paid that day (交易状态 SUCCESS) and one per
        refund that succeeded that day (REFUND), in time order;
        ``bill_type`` SUCCESS or REFUND keeps only those, REVOKED is
        accepted but never has a bill (nothing is revoked here).  A
        refund line is simpler than WeChat's, which writes 0.00 as its
        order amounts: here 应结订单金额 and 订单金额 are the order's total,
        so the summary's order totals add up the payment lines alone.
        手续费 is the fee on the line's amount, negative for a refund.

        Refusals are return_code FAIL with WeChat's ``error_code``:
        20001 for a bad bill_type or bill_date, 20002 for a day without
        a line.  tar_type GZIP is not simulated.
        """
        params, merchant = self._pay_request(request)
        bill_type = params.get('bill_type') or 'ALL'
        if bill_type not in BILL_TYPES:
            raise PayFail('invalid bill_type', 20001)
        day = params.get('bill_date') or ''
        try:
            if not re.fullmatch('[0-9]{8}', day):
                raise ValueError(day)
            date = datetime.datetime.strptime(day, '%Y%m%d').date()
        except ValueError:
            raise PayFail('invalid bill_date', 20001)
        if date > datetime.datetime.now(SHANGHAI).date():
            raise PayFail('invalid bill_date', 20001)
        payments, refunds = self.state.bill_entries(merchant.mch_id, day)
        rate = self.state.fee_rate
        lines = []
        if bill_type in ('ALL', 'SUCCESS'):
            lines.extend(self._bill_line(order, None, rate)
                         for order in payments)
        if bill_type in ('ALL', 'REFUND'):
            lines.extend(self._bill_line(order, refund, rate)
                         for refund, order in refunds)
        if not lines:
            raise PayFail('No Bill Exist', 20002)
        lines.sort(key=lambda line: line[0])  # stable: payment first
        paid, refunded, fee = (sum(line[i] for line in lines)
                               for i in (2, 3, 4))
        text = '\r\n'.join(
            [BILL_HEADER] + [line[1] for line in lines] + [
                BILL_SUMMARY_HEADER,
                bill_row((len(lines), yuan(paid), yuan(refunded), yuan(0),
                          yuan(fee), yuan(paid), yuan(refunded)))])
        return Reply(200, 'text/plain; charset=utf-8', text.encode('utf-8'))

    @staticmethod
    def _bill_line(order, refund, rate):
        """The bill line of ``order``'s payment (``refund`` None) or of
        that refund: (time, text, paid, refunded, fee), money in fen."""
        total = order['total_fee']
        if refund is None:
            when = datetime.datetime.strptime(
                order['time_end'], '%Y%m%d%H%M%S').strftime(
                    '%Y-%m-%d %H:%M:%S')
            state, refund_type, refund_status = 'SUCCESS', '', ''
            refund_id = out_refund_no = '0'
            paid, refunded, fee = total, 0, fee_of(total, rate)
        else:
            when = refund['success_time']
            state, refund_type, refund_status = 'REFUND', 'ORIGINAL', 'SUCCESS'
            refund_id = refund['refund_id']
            out_refund_no = refund['out_refund_no']
            paid, refunded = 0, refund['refund_fee']
            fee = -fee_of(refunded, rate)
        rate_text = '{:.2f}%'.format(decimal.Decimal(str(rate)) * 100)
        text = bill_row((
            when, order['appid'], order['mch_id'], '0', order['device_info'],
            order['transaction_id'], order['out_trade_no'], order['openid'],
            order['trade_type'], state, order['bank_type'], 'CNY',
            yuan(total), yuan(0), refund_id, out_refund_no, yuan(refunded),
            yuan(0), refund_type, refund_status, order['body'],
            order['attach'], yuan(fee), rate_text, yuan(total),
            yuan(refunded), ''))
        return when, text, paid, refunded, fee

    def pay_transfers(self, request):
        """POST /mmpaymkttransfers/promotion/transfers (to change)."""
        params, merchant = self._pay_request(request, TRANSFER_IDS)
        self._require(params, 'partner_trade_no', 'openid', 'check_name',
                      'amount', 'desc', 'spbill_create_ip')
        check_name = params['check_name']
        if check_name not in ('NO_CHECK', 'FORCE_CHECK', 'OPTION_CHECK'):
            raise PayError('PARAM_ERROR', 'check_name参数错误')
        if check_name == 'FORCE_CHECK' and not params.get('re_user_name'):
            raise PayError('PARAM_ERROR', '收款用户姓名不能为空')
        amount = parse_fen(params['amount'], 'amount')
        if amount < MIN_TRANSFER_FEN:
            raise PayError('AMOUNT_LIMIT', '付款金额不能小于最低限额')
        transfer = self.state.add_transfer(merchant.mch_id, {
            'partner_trade_no': params['partner_trade_no'],
            'openid': params['openid'], 'amount': amount,
            'desc': params['desc'], 'check_name': check_name,
            're_user_name': params.get('re_user_name'),
            'mch_appid': merchant.appid})
        return self._pay_reply(merchant, 'transfers', {
            'partner_trade_no': transfer['partner_trade_no'],
            'payment_no': transfer['payment_no'],
            'payment_time': transfer['payment_time'],
            'device_info': params.get('device_info')})

    def pay_gettransferinfo(self, request):
        """POST /mmpaymkttransfers/gettransferinfo."""
        params, merchant = self._pay_request(request)
        self._require(params, 'partner_trade_no')
        transfer = self.state.find_transfer(merchant.mch_id,
                                            params['partner_trade_no'])
        return self._pay_reply(merchant, 'gettransferinfo', {
            'partner_trade_no': transfer['partner_trade_no'],
            'detail_id': transfer['payment_no'],
            'status': transfer['status'], 'openid': transfer['openid'],
            'transfer_name': transfer['re_user_name'],
            'payment_amount': transfer['amount'],
            'transfer_time': transfer['payment_time'],
            'payment_time': transfer['payment_time'],
            'desc': transfer['desc']})

    # -- pay notifies ---------------------------------------------------------

    def _send_notify(self, kind, key, url, body, delay=0, copies=1):
        """Deliver ``body`` to ``url`` in the background, retrying on
        WeChat's schedule until the receiver answers SUCCESS.

        ``delay`` holds the first attempt back, in real seconds (not
        scaled like the retries): a late notify.  ``copies`` deliveries
        start together, each retrying on its own: WeChat's duplicates.
        """
        epoch = self.state.epoch
        for copy in range(1, copies + 1):
            thread = threading.Thread(
                target=self._deliver,
                args=(kind, key, url, body, epoch, delay, copy),
                name='wechat-pay-notify', daemon=True)
            thread.start()

    def _deliver(self, kind, key, url, body, epoch, delay, copy):
        if delay:
            time.sleep(delay)
        for attempt, wait in enumerate((0,) + NOTIFY_SCHEDULE, 1):
            if wait:
                time.sleep(wait * self.state.notify_time_scale)
            if self.state.epoch != epoch:
                return  # /sim/reset happened
            status, answer = post_xml(url, body.encode('utf-8'))
            ok = status == 200 and notify_acknowledged(answer)
            self.state.record_notify({
                'kind': kind, 'key': key, 'url': url, 'attempt': attempt,
                'copy': copy, 'body': body, 'status': status,
                'answer': answer.decode('utf-8', 'replace'), 'ok': ok,
                'at': time.time()}, epoch)
            if ok:
                return

    def _finish_refund(self, out_refund_no, status, mch_id=None, delay=0):
        refund = self.state.finish_refund(out_refund_no, status, mch_id)
        if refund['notify_url']:
            merchant = self.state.merchants[refund['mch_id']]
            info = {name: refund[name] for name in (
                'out_trade_no', 'transaction_id', 'out_refund_no',
                'refund_id', 'total_fee', 'refund_fee', 'refund_status')}
            info.update(settlement_total_fee=refund['total_fee'],
                        settlement_refund_fee=refund['refund_fee'],
                        refund_recv_accout='支付用户零钱',
                        refund_account='REFUND_SOURCE_UNSETTLED_FUNDS',
                        refund_request_source='API')
            if refund['success_time']:
                info['success_time'] = refund['success_time']
            body = xml_text({
                'return_code': 'SUCCESS', 'appid': merchant.appid,
                'mch_id': merchant.mch_id,
                'nonce_str': secrets.token_hex(16),
                'req_info': encrypt_refund_info(merchant.api_key, info)})
            self._send_notify('refund', out_refund_no, refund['notify_url'],
                              body, delay)
        return refund

    # -- control API ---------------------------------------------------------

    def sim_health(self, request):
        return {'ok': True}

    def sim_reset(self, request):
        self.state.reset()
        return {'ok': True}

    def sim_faults(self, request):
        """Queue a fault: errcode/errmsg, delay and/or http_status
        (a delay alone is a slow answer, see ``dispatch``)."""
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
        err_code = body.get('err_code')  # pay endpoints: "SYSTEMERROR"
        if err_code is not None and not (
                isinstance(err_code, str) and err_code):
            raise WeChatError(47003, 'argument invalid! err_code')
        if errcode is None and http_status is None and not delay and \
                not err_code:
            raise WeChatError(47003, 'argument invalid! a fault needs '
                              'errcode, err_code, http_status or delay')
        errmsg = body.get('errmsg') or ERRMSG.get(errcode, 'error')
        err_code_des = body.get('err_code_des') or (
            '系统超时' if err_code == 'SYSTEMERROR' else err_code)
        self.state.add_fault(endpoint, Fault(
            count, errcode, errmsg, delay, http_status, err_code,
            err_code_des))
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

    def _control_mch_id(self, body):
        mch_id = body.get('mch_id') or next(iter(self.state.merchants))
        if mch_id not in self.state.merchants:
            raise WeChatError(47003, 'argument invalid! unknown mch_id')
        return mch_id

    @staticmethod
    def _option(body, name, default, valid):
        """An optional control field: ``default`` when absent, else a
        value that ``valid`` accepts (null is not absent), else 400."""
        value = body.get(name, default)
        if not valid(value):
            raise WeChatError(47003, 'argument invalid! ' + name)
        return value

    @staticmethod
    def _order_json(order):
        return {k: v for k, v in order.items() if k != 'notify_xml'}

    def sim_pay(self, request):
        """Play the user paying: order SUCCESS, then the pay notify.

        The notify misbehaves as WeChat's do when asked: ``notify_delay``
        seconds before its first delivery (late), ``notify_copies``
        deliveries at once (duplicates, at most MAX_NOTIFY_COPIES), or
        ``notify`` false for none at all (lost: only orderquery, or
        /sim/notify-again, tells the merchant).  They are checked before
        the order is paid, so a refused request changes nothing.
        409 when the order is missing, not NOTPAY or expired.
        """
        body = request.json({})
        mch_id = self._control_mch_id(body)
        out_trade_no = self._required(body, 'out_trade_no')
        delay = self._option(body, 'notify_delay', 0, is_seconds)
        copies = self._option(
            body, 'notify_copies', 1,
            lambda value: isinstance(value, int) and not isinstance(
                value, bool) and 1 <= value <= MAX_NOTIFY_COPIES)
        send = self._option(body, 'notify', True,
                            lambda value: isinstance(value, bool))
        order = self.state.pay_order(mch_id, out_trade_no,
                                     body.get('bank_type') or 'OTHERS')
        if send:
            self._send_notify('pay', out_trade_no, order['notify_url'],
                              order['notify_xml'], delay, copies)
        return {'ok': True, 'order': self._order_json(order)}

    def sim_notify_again(self, request):
        """Send the pay notify once more (WeChat does send duplicates)."""
        body = request.json({})
        mch_id = self._control_mch_id(body)
        out_trade_no = self._required(body, 'out_trade_no')
        try:
            order = self.state.find_order(mch_id, out_trade_no)
        except PayError:
            raise Conflict('no such order: ' + out_trade_no)
        if not order['notify_xml']:
            raise Conflict('order is not paid')
        self._send_notify('pay', out_trade_no, order['notify_url'],
                          order['notify_xml'])
        return {'ok': True}

    def sim_refund_result(self, request):
        """Settle a PROCESSING refund (when auto refund is off); its
        notify waits ``notify_delay`` seconds, by default the
        ``refund_notify_delay`` setting."""
        body = request.json({})
        status = self._required(body, 'status')
        if status not in ('SUCCESS', 'CHANGE', 'REFUNDCLOSE'):
            raise WeChatError(47003, 'argument invalid! status')
        delay = self._option(body, 'notify_delay',
                             self.state.refund_notify_delay, is_seconds)
        refund = self._finish_refund(self._required(body, 'out_refund_no'),
                                     status, body.get('mch_id'), delay)
        return {'ok': True, 'refund': refund}

    def sim_orders(self, request):
        return {'orders': [
            self._order_json(order) for order in
            self.state.list_orders(request.param('out_trade_no'))]}

    def sim_notifies(self, request):
        return {'notifies': self.state.list_notifies(
            kind=request.param('kind'), key=request.param('key'))}

    def sim_transfers(self, request):
        """The payouts made, so a test can count them after retries."""
        return {'transfers': self.state.list_transfers(
            request.param('partner_trade_no'))}

    def sim_settings(self, request):
        return self.state.settings()

    def sim_update_settings(self, request):
        """Change settings until the next /sim/reset, which restores the
        command line's: ``auto_refund`` (bool) and ``refund_notify_delay``
        (seconds before the first delivery of a refund notify).  Every
        name and value is checked before any applies; answers them all.
        """
        body = request.json({})
        valid = {'auto_refund': lambda value: isinstance(value, bool),
                 'refund_notify_delay': is_seconds}
        for name, value in body.items():
            if name not in valid or not valid[name](value):
                raise WeChatError(47003, 'argument invalid! ' + name)
        return self.state.update_settings(body)


class RequestHandler(BaseHTTPRequestHandler):
    """HTTP glue: build a Request, dispatch it, write the Reply."""

    protocol_version = 'HTTP/1.1'  # keep-alive, as requests.Session uses
    # Headers and body leave in two writes: without TCP_NODELAY, Nagle's
    # algorithm and the client's delayed ACK add 40 ms to every answer on
    # a kept-alive connection.
    disable_nagle_algorithm = True
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
          token_ttl=DEFAULT_TOKEN_TTL, quiet=False, merchants=None,
          notify_time_scale=DEFAULT_NOTIFY_TIME_SCALE, auto_refund=True,
          fee_rate=DEFAULT_FEE_RATE):
    """Start a simulator in a daemon thread and return its server.

    ``apps`` maps appid to secret (default: the demo app); ``merchants``
    maps mch_id to (api_key, appid) (default: the demo merchant);
    ``fee_rate`` is WeChat's share of each payment in the bills;
    ``port`` 0 picks a free port, read it back from ``server.url``.
    Call ``server.stop()`` when done.
    """
    state = State(apps or dict([DEFAULT_APP]), token_ttl,
                  merchants=merchants, notify_time_scale=notify_time_scale,
                  auto_refund=auto_refund, fee_rate=fee_rate)
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


def parse_merchant(value):
    mch_id, api_key, appid = (value.split(':') + ['', ''])[:3]
    if not (mch_id and api_key and appid) or value.count(':') != 2:
        raise argparse.ArgumentTypeError('expected MCHID:APIKEY:APPID')
    return mch_id, (api_key, appid)


def parse_fee_rate(value):
    try:
        rate = float(value)
    except ValueError:
        rate = -1.0
    if not 0 <= rate < 1:
        raise argparse.ArgumentTypeError('expected a rate in [0, 1)')
    return rate


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
    parser.add_argument('--mch', action='append', type=parse_merchant,
                        metavar='MCHID:APIKEY:APPID',
                        help='repeatable; default {}:{}:{}'.format(
                            *DEFAULT_MERCHANT))
    parser.add_argument('--notify-time-scale', type=float,
                        default=DEFAULT_NOTIFY_TIME_SCALE,
                        help='factor applied to WeChat\'s notify retry '
                        'intervals (default %(default)s: 15 s -> 0.15 s)')
    parser.add_argument('--auto-refund', dest='auto_refund',
                        action='store_true', default=True,
                        help='refunds succeed at once (default)')
    parser.add_argument('--no-auto-refund', dest='auto_refund',
                        action='store_false',
                        help='refunds stay PROCESSING until '
                        'POST /sim/refund-result')
    parser.add_argument('--fee-rate', type=parse_fee_rate,
                        default=DEFAULT_FEE_RATE,
                        help='WeChat\'s fee on each payment, as the bills '
                        'show it (default %(default)s: 0.60%%)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    apps = dict(args.app or [DEFAULT_APP])
    merchants = dict(args.mch) if args.mch else None
    try:
        server = serve(args.host, args.port, apps, args.token_ttl,
                       quiet=args.quiet, merchants=merchants,
                       notify_time_scale=args.notify_time_scale,
                       auto_refund=args.auto_refund,
                       fee_rate=args.fee_rate)
    except OSError as exc:
        sys.stderr.write('cannot listen on {}:{}: {}\n'.format(
            args.host, args.port, exc))
        return 1
    sys.stdout.write('WeChat simulator listening on {}\n'.format(server.url))
    sys.stdout.flush()
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

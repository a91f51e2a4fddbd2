"""Tests for the WeChat Pay v2 half of scripts/wechat_simulator.py.

The simulator runs in-process on a free port and is driven with
wechatpy's own ``WeChatPay`` client, pointed at it through the
instance's ``API_BASE_URL``.  A tiny HTTP receiver on another free port
plays the merchant's notify_url: it records what it gets and answers
SUCCESS (or FAIL for the first few, to prove that WeChat retries).
"""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from wechatpy.exceptions import WeChatPayException
from wechatpy.pay import WeChatPay
from wechatpy.pay.utils import calculate_signature, dict_to_xml

from conftest import wechat_simulator

APPID, SECRET = 'wxd0000000000demo', 'demo-app-secret-0000000000000000'
MCH_ID, API_KEY = '1900000109', 'demo-mch-api-key-000000000000000'
OPENID = 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o'
SUCCESS = b'<xml><return_code><![CDATA[SUCCESS]]></return_code></xml>'
FAIL = b'<xml><return_code><![CDATA[FAIL]]></return_code></xml>'


class Receiver(ThreadingHTTPServer):
    """The merchant's notify_url: records bodies, answers FAIL to the
    first ``failures`` requests and SUCCESS afterwards."""

    daemon_threads = True

    def __init__(self):
        super().__init__(('127.0.0.1', 0), ReceiverHandler)
        self.received = []
        self.failures = 0
        self.lock = threading.Lock()

    @property
    def url(self):
        return 'http://127.0.0.1:{}/notify'.format(self.server_address[1])

    def answer(self, body):
        with self.lock:
            self.received.append(body)
            return FAIL if len(self.received) <= self.failures else SUCCESS

    def wait_for(self, count, timeout=5):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.02)
        raise AssertionError('expected {} notifies, got {}'.format(
            count, len(self.received)))


class ReceiverHandler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def do_POST(self):
        length = int(self.headers.get('Content-Length') or 0)
        answer = self.server.answer(self.rfile.read(length))
        self.send_response(200)
        self.send_header('Content-Type', 'text/xml')
        self.send_header('Content-Length', str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, fmt, *args):
        pass


@pytest.fixture(scope='module')
def server():
    srv = wechat_simulator.serve(
        '127.0.0.1', 0, {APPID: SECRET}, quiet=True,
        merchants={MCH_ID: (API_KEY, APPID)}, notify_time_scale=0.01)
    yield srv
    srv.stop()


@pytest.fixture
def receiver():
    srv = Receiver()
    thread = threading.Thread(target=srv.serve_forever,
                              kwargs={'poll_interval': 0.05}, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def pay(base):
    """wechatpy's client, pointed at the simulator."""
    client = WeChatPay(APPID, API_KEY, MCH_ID, timeout=5)
    client.API_BASE_URL = base + '/'
    return client


def sim(base, path, payload=None):
    """POST to the control API; it must succeed."""
    response = requests.post(base + path, json=payload or {})
    response.raise_for_status()
    return response.json()


def create_order(pay, receiver, out_trade_no='SO001', total_fee=1000):
    return pay.order.create(
        trade_type='JSAPI', body='Order ' + out_trade_no,
        total_fee=total_fee, notify_url=receiver.url, client_ip='127.0.0.1',
        user_id=OPENID, out_trade_no=out_trade_no)


@pytest.fixture
def paid_order(base, pay, receiver):
    """A 10.00 CNY order paid by the user, its notify acknowledged."""
    create_order(pay, receiver)
    sim(base, '/sim/pay', {'out_trade_no': 'SO001'})
    receiver.wait_for(1)
    return 'SO001'


def error_code(excinfo):
    return excinfo.value.errcode


# -- unifiedorder ----------------------------------------------------------


def test_unifiedorder_answers_signed_prepay_id(pay, receiver):
    result = create_order(pay, receiver)
    assert result['prepay_id'].startswith('wx')
    assert result['trade_type'] == 'JSAPI'
    assert result['mch_id'] == MCH_ID and result['appid'] == APPID
    assert pay.check_signature(dict(result))


def test_same_out_trade_no_gives_same_prepay_id(pay, receiver):
    first = create_order(pay, receiver)
    again = create_order(pay, receiver)
    assert again['prepay_id'] == first['prepay_id']


def test_same_out_trade_no_with_other_amount_refused(pay, receiver):
    create_order(pay, receiver, total_fee=1000)
    with pytest.raises(WeChatPayException) as excinfo:
        create_order(pay, receiver, total_fee=1200)
    assert error_code(excinfo) == 'INVALID_REQUEST'
    assert '商户订单号重复' in excinfo.value.errmsg


def test_bad_signature_refused(base):
    params = {'appid': APPID, 'mch_id': MCH_ID, 'nonce_str': 'abc',
              'out_trade_no': 'SO001'}
    body = dict_to_xml(params, sign='0' * 32)
    response = requests.post(base + '/pay/orderquery', data=body)
    assert response.status_code == 200
    assert '<return_code><![CDATA[FAIL]]></return_code>' in response.text
    assert '签名错误' in response.text


def test_garbage_body_answers_xml(base):
    response = requests.post(base + '/pay/unifiedorder', data=b'{oops')
    assert response.headers['Content-Type'].startswith('text/xml')
    assert '<return_code><![CDATA[FAIL]]></return_code>' in response.text


def test_jsapi_order_needs_openid(pay, receiver):
    with pytest.raises(WeChatPayException) as excinfo:
        pay.order.create(trade_type='JSAPI', body='x', total_fee=1,
                         notify_url=receiver.url, client_ip='127.0.0.1',
                         out_trade_no='SO002')
    assert error_code(excinfo) == 'PARAM_ERROR'


# -- paying and the pay notify ---------------------------------------------


def test_pay_sends_signed_notify(base, pay, receiver):
    create_order(pay, receiver)
    sim(base, '/sim/pay', {'out_trade_no': 'SO001'})
    notify = pay.parse_payment_result(receiver.wait_for(1)[0])
    assert notify['result_code'] == 'SUCCESS'
    assert notify['out_trade_no'] == 'SO001'
    assert notify['total_fee'] == 1000 and notify['openid'] == OPENID
    assert notify['transaction_id']


def test_notify_retried_until_acknowledged(base, pay, receiver):
    receiver.failures = 2
    create_order(pay, receiver)
    sim(base, '/sim/pay', {'out_trade_no': 'SO001'})
    bodies = receiver.wait_for(3)
    assert len(set(bodies)) == 1  # the very same notify each time
    time.sleep(0.5)  # no attempt after the SUCCESS answer
    attempts = requests.get(base + '/sim/notifies').json()['notifies']
    assert [a['ok'] for a in attempts] == [False, False, True]


def test_notify_again_sends_a_duplicate(base, pay, receiver, paid_order):
    sim(base, '/sim/notify-again', {'out_trade_no': paid_order})
    first, second = receiver.wait_for(2)
    assert first == second


def test_orderquery_after_pay(pay, paid_order):
    result = pay.order.query(out_trade_no=paid_order)
    assert result['trade_state'] == 'SUCCESS'
    assert result['total_fee'] == '1000' and result['openid'] == OPENID
    by_transaction = pay.order.query(
        transaction_id=result['transaction_id'])
    assert by_transaction['out_trade_no'] == paid_order


def test_orderquery_unknown_order(pay):
    with pytest.raises(WeChatPayException) as excinfo:
        pay.order.query(out_trade_no='NOPE')
    assert error_code(excinfo) == 'ORDERNOTEXIST'


def test_closeorder_on_paid_order_refused(pay, paid_order):
    with pytest.raises(WeChatPayException) as excinfo:
        pay.order.close(paid_order)
    assert error_code(excinfo) == 'ORDERPAID'


def test_closed_order_cannot_be_paid(base, pay, receiver):
    create_order(pay, receiver)
    pay.order.close('SO001')
    assert pay.order.query(out_trade_no='SO001')['trade_state'] == 'CLOSED'
    response = requests.post(base + '/sim/pay',
                             json={'out_trade_no': 'SO001'})
    assert response.status_code == 409
    with pytest.raises(WeChatPayException) as excinfo:
        create_order(pay, receiver)
    assert error_code(excinfo) == 'ORDERCLOSED'


# -- refunds ---------------------------------------------------------------


def refund(pay, out_refund_no, refund_fee, **kwargs):
    return pay.refund.apply(total_fee=1000, refund_fee=refund_fee,
                            out_refund_no=out_refund_no,
                            out_trade_no='SO001', **kwargs)


def test_partial_refunds_then_over_refund_refused(pay, paid_order):
    refund(pay, 'RF1', 300)
    refund(pay, 'RF2', 500)
    with pytest.raises(WeChatPayException) as excinfo:
        refund(pay, 'RF3', 201)
    assert error_code(excinfo) == 'INVALID_REQUEST'
    assert excinfo.value.errmsg == '退款金额大于支付金额'
    assert pay.order.query(out_trade_no=paid_order)['trade_state'] \
        == 'REFUND'


def test_same_out_refund_no_is_idempotent(base, pay, paid_order):
    first = refund(pay, 'RF1', 600)
    again = refund(pay, 'RF1', 600)
    assert again['refund_id'] == first['refund_id']
    order = requests.get(base + '/sim/orders',
                         params={'out_trade_no': paid_order}).json()
    assert len(order['orders'][0]['refunds']) == 1
    refund(pay, 'RF2', 400)  # 600 + 400: the retry did not count twice


def test_refundquery_lists_refunds(pay, paid_order):
    first = refund(pay, 'RF1', 300)
    refund(pay, 'RF2', 200)
    result = pay.refund.query(out_trade_no=paid_order)
    assert result['refund_count'] == '2'
    assert result['out_refund_no_0'] == 'RF1'
    assert result['refund_id_0'] == first['refund_id']
    assert result['refund_fee_0'] == '300'
    assert result['refund_status_0'] == 'SUCCESS'
    assert result['out_refund_no_1'] == 'RF2'
    assert result['refund_fee_1'] == '200'


def test_refund_notify_decrypts_with_wechatpy(pay, receiver, paid_order):
    result = refund(pay, 'RF1', 300, notify_url=receiver.url)
    notify = receiver.wait_for(2)[1]  # after the pay notify
    info = pay.parse_refund_notify_result(notify)
    assert info['out_refund_no'] == 'RF1'
    assert info['refund_id'] == result['refund_id']
    assert info['refund_fee'] == 300 and info['total_fee'] == 1000
    assert info['refund_status'] == 'SUCCESS'
    assert info['success_time']


def test_refund_stays_processing_without_auto_refund(receiver):
    srv = wechat_simulator.serve(
        '127.0.0.1', 0, {APPID: SECRET}, quiet=True,
        merchants={MCH_ID: (API_KEY, APPID)}, auto_refund=False)
    try:
        client = WeChatPay(APPID, API_KEY, MCH_ID, timeout=5)
        client.API_BASE_URL = srv.url + '/'
        create_order(client, receiver)
        sim(srv.url, '/sim/pay', {'out_trade_no': 'SO001'})
        refund(client, 'RF1', 300)
        status = client.refund.query(out_refund_no='RF1')
        assert status['refund_status_0'] == 'PROCESSING'
        sim(srv.url, '/sim/refund-result',
            {'out_refund_no': 'RF1', 'status': 'SUCCESS'})
        status = client.refund.query(out_refund_no='RF1')
        assert status['refund_status_0'] == 'SUCCESS'
    finally:
        srv.stop()


# -- transfers to change ---------------------------------------------------


def transfer(pay, amount, out_trade_no='TR001'):
    return pay.transfer.transfer(
        OPENID, amount, 'Commission', client_ip='127.0.0.1',
        check_name='NO_CHECK', out_trade_no=out_trade_no)


def test_transfer_is_idempotent(pay):
    first = transfer(pay, 100)
    again = transfer(pay, 100)
    assert first['payment_no'] == again['payment_no']
    assert first['payment_time'] == again['payment_time']
    assert pay.transfer.query('TR001')['status'] == 'SUCCESS'


def test_transfer_below_minimum_refused(pay):
    with pytest.raises(WeChatPayException) as excinfo:
        transfer(pay, 29)
    assert error_code(excinfo) == 'AMOUNT_LIMIT'


# -- faults ----------------------------------------------------------------


def test_systemerror_fault(base, pay, receiver):
    sim(base, '/sim/faults', {'endpoint': 'unifiedorder',
                              'err_code': 'SYSTEMERROR'})
    with pytest.raises(WeChatPayException) as excinfo:
        create_order(pay, receiver)
    assert error_code(excinfo) == 'SYSTEMERROR'
    assert excinfo.value.return_code == 'SUCCESS'
    assert create_order(pay, receiver)['prepay_id']  # fault used up


def test_http_status_fault_on_refund(base, pay, paid_order):
    sim(base, '/sim/faults', {'endpoint': 'refund', 'http_status': 503})
    with pytest.raises(WeChatPayException) as excinfo:
        refund(pay, 'RF1', 100)
    assert excinfo.value.response.status_code == 503


def test_reply_signature_matches_wechatpy(pay, receiver):
    result = dict(create_order(pay, receiver))
    sign = result.pop('sign')
    assert sign == calculate_signature(result, API_KEY)

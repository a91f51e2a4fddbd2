"""Tests for the WeChat Pay v2 half of scripts/wechat_simulator.py.

The simulator runs in-process on a free port and is driven with
wechatpy's own ``WeChatPay`` client, pointed at it through the
instance's ``API_BASE_URL``.  A tiny HTTP receiver on another free port
plays the merchant's notify_url: it records what it gets and answers
SUCCESS (or FAIL for the first few, to prove that WeChat retries).
"""

import datetime
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
import xmltodict
from wechatpy.exceptions import WeChatPayException
from wechatpy.pay import WeChatPay
from wechatpy.pay.utils import calculate_signature, dict_to_xml

from conftest import wechat_simulator

APPID, SECRET = 'wxd0000000000demo', 'demo-app-secret-0000000000000000'
MCH_ID, API_KEY = '1900000109', 'demo-mch-api-key-000000000000000'
OPENID = 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o'
SUCCESS = b'<xml><return_code><![CDATA[SUCCESS]]></return_code></xml>'
FAIL = b'<xml><return_code><![CDATA[FAIL]]></return_code></xml>'
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
# Written out, not imported: the test pins WeChat's layout.
BILL_HEADER = ('交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,'
               '用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,'
               '微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,'
               '商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注')
SUMMARY_HEADER = ('总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,'
                  '订单总金额,申请退款总金额')


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


# -- downloadbill ----------------------------------------------------------


def shanghai_day(days=0):
    moment = datetime.datetime.now(SHANGHAI) + datetime.timedelta(days)
    return moment.strftime('%Y%m%d')


def read_bill(text):
    """(data lines as dicts by column name, summary values), checking
    the layout: CRLF lines, headers, a backquote before every value."""
    assert isinstance(text, str)
    assert text.count('\n') == text.count('\r\n')
    lines = text.split('\r\n')
    assert lines[0] == BILL_HEADER
    assert lines[-2] == SUMMARY_HEADER
    rows = [line.split(',') for line in lines[1:-2]] + [
        lines[-1].split(',')]
    assert all(value.startswith('`') for row in rows for value in row)
    rows = [[value[1:] for value in row] for row in rows]
    assert all(len(row) == 27 for row in rows[:-1])
    columns = BILL_HEADER.split(',')
    return [dict(zip(columns, row)) for row in rows[:-1]], rows[-1]


def bill_refusal(excinfo):
    """The XML fields of a refused downloadbill."""
    assert excinfo.value.return_code == 'FAIL'
    return xmltodict.parse(excinfo.value.response.text)['xml']


@pytest.fixture
def billed_day(base, pay, receiver):
    """Today: 10.00 and 7.50 CNY paid, 2.50 of the first refunded; an
    unpaid order besides.  Returns the bill date."""
    create_order(pay, receiver, 'SO001', 1000)
    create_order(pay, receiver, 'SO002', 750)
    create_order(pay, receiver, 'SO003', 500)
    sim(base, '/sim/pay', {'out_trade_no': 'SO001'})
    sim(base, '/sim/pay', {'out_trade_no': 'SO002'})
    refund(pay, 'RF1', 250)
    return pay.order.query(out_trade_no='SO001')['time_end'][:8]


def test_downloadbill_all(pay, billed_day):
    payments, summary = read_bill(pay.tools.download_bill(billed_day))
    first, second, back = payments
    order = pay.order.query(out_trade_no='SO001')
    assert first['交易时间'] == datetime.datetime.strptime(
        order['time_end'], '%Y%m%d%H%M%S').strftime('%Y-%m-%d %H:%M:%S')
    assert (first['公众账号ID'], first['商户号']) == (APPID, MCH_ID)
    assert (first['商户订单号'], first['交易状态']) == ('SO001', 'SUCCESS')
    assert first['微信订单号'] == order['transaction_id']
    assert first['用户标识'] == OPENID and first['交易类型'] == 'JSAPI'
    assert first['应结订单金额'] == first['订单金额'] == '10.00'
    assert first['退款金额'] == first['申请退款金额'] == '0.00'
    assert first['微信退款单号'] == first['商户退款单号'] == '0'
    assert first['退款类型'] == first['退款状态'] == ''
    assert first['商品名称'] == 'Order SO001'
    assert (first['手续费'], first['费率']) == ('0.06', '0.60%')
    assert (second['商户订单号'], second['应结订单金额']) == ('SO002', '7.50')
    assert second['手续费'] == '0.05'  # 4.5 fen, rounded half up
    refund_id = pay.refund.query(out_refund_no='RF1')['refund_id_0']
    assert (back['交易状态'], back['商户订单号']) == ('REFUND', 'SO001')
    assert back['微信订单号'] == order['transaction_id']
    assert (back['微信退款单号'], back['商户退款单号']) == (refund_id, 'RF1')
    assert back['退款金额'] == back['申请退款金额'] == '2.50'
    assert back['应结订单金额'] == back['订单金额'] == '10.00'
    assert (back['退款类型'], back['退款状态']) == ('ORIGINAL', 'SUCCESS')
    assert back['手续费'] == '-0.02'  # 1.5 fen, rounded half up
    assert summary == ['3', '17.50', '2.50', '0.00', '0.09', '17.50',
                       '2.50']


def test_downloadbill_success_and_refund_types(pay, billed_day):
    payments, summary = read_bill(
        pay.tools.download_bill(billed_day, 'SUCCESS'))
    assert [row['商户订单号'] for row in payments] == ['SO001', 'SO002']
    assert {row['交易状态'] for row in payments} == {'SUCCESS'}
    assert summary == ['2', '17.50', '0.00', '0.00', '0.11', '17.50',
                       '0.00']
    refunds, summary = read_bill(
        pay.tools.download_bill(billed_day, 'REFUND'))
    assert [row['商户退款单号'] for row in refunds] == ['RF1']
    assert refunds[0]['交易状态'] == 'REFUND'
    assert summary == ['1', '0.00', '2.50', '0.00', '-0.02', '0.00',
                       '2.50']


def test_downloadbill_answers_plain_text(base, pay, billed_day):
    params = {'appid': APPID, 'mch_id': MCH_ID, 'nonce_str': 'abc',
              'bill_date': billed_day}
    body = dict_to_xml(params, calculate_signature(params, API_KEY))
    response = requests.post(base + '/pay/downloadbill',
                             data=body.encode('utf-8'))
    assert response.headers['Content-Type'].startswith('text/plain')
    assert response.content.decode('utf-8').startswith('交易时间,')


def test_downloadbill_no_bill_exist(base, pay, receiver):
    create_order(pay, receiver)  # unpaid: not on the bill
    for day, bill_type in ((shanghai_day(), 'ALL'),
                           (shanghai_day(-1), 'ALL')):
        with pytest.raises(WeChatPayException) as excinfo:
            pay.tools.download_bill(day, bill_type)
        fields = bill_refusal(excinfo)
        assert fields['return_msg'] == 'No Bill Exist'
        assert fields['error_code'] == '20002'
    sim(base, '/sim/pay', {'out_trade_no': 'SO001'})
    with pytest.raises(WeChatPayException) as excinfo:  # paid, no refund
        pay.tools.download_bill(shanghai_day(), 'REFUND')
    assert bill_refusal(excinfo)['error_code'] == '20002'


def test_downloadbill_refuses_bad_dates_and_types(pay, paid_order):
    for day, bill_type, message in (
            (shanghai_day(1), 'ALL', 'invalid bill_date'),
            ('2024-1-01', 'ALL', 'invalid bill_date'),
            ('20240230', 'ALL', 'invalid bill_date'),
            (shanghai_day(), 'EVERYTHING', 'invalid bill_type')):
        with pytest.raises(WeChatPayException) as excinfo:
            pay.tools.download_bill(day, bill_type)
        fields = bill_refusal(excinfo)
        assert fields['return_msg'] == message, day
        assert fields['error_code'] == '20001'


def test_downloadbill_bad_signature(base, paid_order):
    client = WeChatPay(APPID, 'x' * 32, MCH_ID, timeout=5)
    client.API_BASE_URL = base + '/'
    with pytest.raises(WeChatPayException) as excinfo:
        client.tools.download_bill(shanghai_day())
    assert excinfo.value.return_code == 'FAIL'
    assert excinfo.value.return_msg == '签名错误'


def test_downloadbill_is_counted_and_faultable(base, pay, paid_order):
    sim(base, '/sim/faults', {'endpoint': 'downloadbill',
                              'http_status': 503})
    with pytest.raises(WeChatPayException) as excinfo:
        pay.tools.download_bill(shanghai_day())
    assert excinfo.value.response.status_code == 503
    assert pay.tools.download_bill(shanghai_day()).startswith('交易时间')
    stats = requests.get(base + '/sim/stats').json()
    assert stats['calls']['downloadbill'] == 2


def test_fee_rate_option(receiver):
    assert wechat_simulator.parse_args([]).fee_rate == 0.006
    assert wechat_simulator.parse_args(
        ['--fee-rate', '0.01']).fee_rate == 0.01
    with pytest.raises(SystemExit):
        wechat_simulator.parse_args(['--fee-rate', '1.5'])
    srv = wechat_simulator.serve(
        '127.0.0.1', 0, {APPID: SECRET}, quiet=True,
        merchants={MCH_ID: (API_KEY, APPID)}, fee_rate=0.01)
    try:
        client = WeChatPay(APPID, API_KEY, MCH_ID, timeout=5)
        client.API_BASE_URL = srv.url + '/'
        create_order(client, receiver, total_fee=1250)
        sim(srv.url, '/sim/pay', {'out_trade_no': 'SO001'})
        day = client.order.query(out_trade_no='SO001')['time_end'][:8]
        payments, summary = read_bill(client.tools.download_bill(day))
        assert (payments[0]['手续费'], payments[0]['费率']) == (
            '0.13', '1.00%')  # 12.5 fen, rounded half up
        assert summary[4] == '0.13'
    finally:
        srv.stop()


# -- notify faults ---------------------------------------------------------


def test_late_notify(base, pay, receiver):
    create_order(pay, receiver)
    start = time.time()
    sim(base, '/sim/pay', {'out_trade_no': 'SO001', 'notify_delay': 0.6})
    time.sleep(0.3)
    assert receiver.received == []
    receiver.wait_for(1)
    assert 0.6 <= time.time() - start < 3


def test_duplicate_notifies_retry_each_on_their_own(base, pay, receiver):
    receiver.failures = 3  # each copy's first delivery is refused
    create_order(pay, receiver)
    sim(base, '/sim/pay', {'out_trade_no': 'SO001', 'notify_copies': 3})
    bodies = receiver.wait_for(6)
    time.sleep(0.4)  # no attempt after the SUCCESS answers
    assert len(receiver.received) == 6 and len(set(bodies)) == 1
    attempts = requests.get(base + '/sim/notifies').json()['notifies']
    by_copy = {}
    for attempt in attempts:
        by_copy.setdefault(attempt['copy'], []).append(
            (attempt['attempt'], attempt['ok']))
    assert by_copy == {copy: [(1, False), (2, True)] for copy in (1, 2, 3)}


def test_lost_notify(base, pay, receiver):
    create_order(pay, receiver)
    sim(base, '/sim/pay', {'out_trade_no': 'SO001', 'notify': False})
    time.sleep(0.5)
    assert receiver.received == []
    assert requests.get(base + '/sim/notifies').json()['notifies'] == []
    assert pay.order.query(out_trade_no='SO001')['trade_state'] == 'SUCCESS'
    sim(base, '/sim/notify-again', {'out_trade_no': 'SO001'})
    notify = pay.parse_payment_result(receiver.wait_for(1)[0])
    assert notify['out_trade_no'] == 'SO001'


@pytest.mark.parametrize('fields', [
    {'notify_delay': -1}, {'notify_delay': '1'}, {'notify_delay': True},
    {'notify_copies': 0}, {'notify_copies': 1.5}, {'notify_copies': True},
    {'notify_copies': wechat_simulator.MAX_NOTIFY_COPIES + 1},
    {'notify': 'false'}, {'notify': None}])
def test_pay_refuses_bad_notify_fields(base, pay, receiver, fields):
    create_order(pay, receiver)
    response = requests.post(base + '/sim/pay',
                             json=dict(fields, out_trade_no='SO001'))
    assert response.status_code == 400
    assert response.json()['errcode'] == 47003
    assert pay.order.query(out_trade_no='SO001')['trade_state'] == 'NOTPAY'


# -- settings --------------------------------------------------------------


def settings(base):
    return requests.get(base + '/sim/settings').json()


def test_settings_validated_and_reset(base):
    defaults = {'auto_refund': True, 'refund_notify_delay': 0}
    assert settings(base) == defaults
    for bad in ({'auto_refund': 'no'}, {'auto_refund': 1},
                {'refund_notify_delay': -1}, {'refund_notify_delay': True},
                {'refund_notify_delay': '2'}, {'refund_delay': 1},
                {'auto_refund': False, 'refund_notify_delay': None}):
        response = requests.post(base + '/sim/settings', json=bad)
        assert response.status_code == 400, bad
        assert response.json()['errcode'] == 47003
    response = requests.post(
        base + '/sim/settings', data=b'{"refund_notify_delay": NaN}',
        headers={'Content-Type': 'application/json'})
    assert response.status_code == 400
    assert settings(base) == defaults  # nothing half applied
    changed = {'auto_refund': False, 'refund_notify_delay': 0.25}
    assert sim(base, '/sim/settings', changed) == changed
    assert settings(base) == changed
    sim(base, '/sim/reset')
    assert settings(base) == defaults


def test_refund_notify_delay_setting(base, pay, receiver, paid_order):
    sim(base, '/sim/settings', {'refund_notify_delay': 0.6})
    start = time.time()
    refund(pay, 'RF1', 300, notify_url=receiver.url)
    time.sleep(0.3)
    assert len(receiver.received) == 1  # the pay notify only
    receiver.wait_for(2)
    assert 0.6 <= time.time() - start < 3


def test_auto_refund_off_then_late_refund_result(base, pay, receiver,
                                                 paid_order):
    sim(base, '/sim/settings', {'auto_refund': False})
    refund(pay, 'RF1', 300, notify_url=receiver.url)
    assert pay.refund.query(out_refund_no='RF1')['refund_status_0'] \
        == 'PROCESSING'
    response = requests.post(base + '/sim/refund-result', json={
        'out_refund_no': 'RF1', 'status': 'SUCCESS', 'notify_delay': -1})
    assert response.status_code == 400
    assert pay.refund.query(out_refund_no='RF1')['refund_status_0'] \
        == 'PROCESSING'
    start = time.time()
    sim(base, '/sim/refund-result', {'out_refund_no': 'RF1',
                                     'status': 'SUCCESS',
                                     'notify_delay': 0.6})
    info = pay.parse_refund_notify_result(receiver.wait_for(2)[1])
    assert info['refund_status'] == 'SUCCESS'
    assert 0.6 <= time.time() - start < 3


# -- a transfer whose answer is lost ---------------------------------------


def test_transfer_retried_after_timeout_pays_once(base):
    sim(base, '/sim/faults', {'endpoint': 'transfers', 'delay': 1.5})
    client = WeChatPay(APPID, API_KEY, MCH_ID, timeout=0.5)
    client.API_BASE_URL = base + '/'
    with pytest.raises(requests.Timeout):
        transfer(client, 100)
    # WeChat paid; only the caller did not hear it.
    paid = requests.get(base + '/sim/transfers').json()['transfers']
    assert [t['partner_trade_no'] for t in paid] == ['TR001']
    again = transfer(client, 100)
    transfers = requests.get(base + '/sim/transfers').json()['transfers']
    assert len(transfers) == 1
    assert again['payment_no'] == transfers[0]['payment_no'] \
        == paid[0]['payment_no']
    assert requests.get(base + '/sim/stats').json()['calls'][
        'transfers'] == 2

"""Tests for scripts/wechat_simulator.py, over real HTTP.

The simulator runs in-process on a free port; every test starts from a
``/sim/reset`` so tests do not depend on each other.  Part of the tests
drive it with wechatpy itself, pointed at the simulator the way our
Odoo code has to be (see ``SimulatorClient``).
"""

import json
import signal
import subprocess
import sys

import pytest
import requests
from wechatpy.client import WeChatClient
from wechatpy.crypto import WeChatWxaCrypto
from wechatpy.exceptions import InvalidAppIdException, WeChatClientException

from conftest import SIMULATOR_SCRIPT, wechat_simulator

APPID, SECRET = 'wxd0000000000demo', 'demo-app-secret-0000000000000000'
OTHER_APPID, OTHER_SECRET = 'wx00000000000other', 'other-secret'
TEMPLATE = 'tmpl-order-shipped'
MESSAGE_DATA = {'thing1': {'value': 'Order S00042'},
                'time2': {'value': '2024-05-01 10:00'}}


@pytest.fixture(scope='module')
def server():
    srv = wechat_simulator.serve(
        '127.0.0.1', 0, {APPID: SECRET, OTHER_APPID: OTHER_SECRET},
        token_ttl=7200, quiet=True)
    yield srv
    srv.stop()


def sim(base, path, payload=None):
    """POST to the control API; it must succeed."""
    response = requests.post(base + path, json=payload or {})
    response.raise_for_status()
    return response.json()


def get_token(base, appid=APPID, secret=SECRET):
    return requests.get(base + '/cgi-bin/token', params={
        'grant_type': 'client_credential', 'appid': appid,
        'secret': secret}).json()


def code2session(base, code, appid=APPID, secret=SECRET):
    return requests.get(base + '/sns/jscode2session', params={
        'appid': appid, 'secret': secret, 'js_code': code,
        'grant_type': 'authorization_code'}).json()


def send(base, token, **body):
    return requests.post(
        base + '/cgi-bin/message/subscribe/send',
        params={'access_token': token}, json=body).json()


def login(base, user='alice', **extra):
    return sim(base, '/sim/login-code', dict(user=user, **extra))


class SimulatorClient(WeChatClient):
    """wechatpy client pointed at the simulator.

    wechatpy 1.8.18 needs three overrides: ``API_BASE_URL`` (cgi-bin/
    calls), ``wxa.API_BASE_URL`` (WeChatWxa has its own base URL) and
    ``fetch_access_token``, which hard-codes api.weixin.qq.com.
    """

    def __init__(self, base, appid=APPID, secret=SECRET, **kwargs):
        super().__init__(appid, secret, **kwargs)
        self.API_BASE_URL = base + '/cgi-bin/'
        self.wxa.API_BASE_URL = base + '/'

    def fetch_access_token(self):
        return self._fetch_access_token(
            url=self.API_BASE_URL + 'token',
            params={'grant_type': 'client_credential',
                    'appid': self.appid, 'secret': self.secret})


def test_health_and_unknown_path(base):
    assert requests.get(base + '/sim/health').json() == {'ok': True}
    response = requests.get(base + '/cgi-bin/nope')
    assert response.status_code == 404
    assert response.json() == {'errcode': 404, 'errmsg': 'not found'}


def test_token_issue_and_bad_credentials(base):
    first, second = get_token(base), get_token(base)
    assert first['expires_in'] == 7200
    assert len(first['access_token']) >= 64
    assert first['access_token'] != second['access_token']
    assert get_token(base, secret='wrong')['errcode'] == 40125
    assert get_token(base, appid='wxunknown')['errcode'] == 40013
    stats = requests.get(base + '/sim/stats').json()
    assert stats['tokens_issued'] == {APPID: 2}
    assert stats['calls'] == {'token': 4}


def test_login_code_session_and_reuse(base):
    login_info = login(base, unionid='union-alice')
    session = code2session(base, login_info['code'])
    assert session == {'openid': login_info['openid'],
                       'session_key': login_info['session_key'],
                       'unionid': 'union-alice'}
    assert len(session['openid']) == 28
    assert code2session(base, login_info['code'])['errcode'] == 40163


def test_code_errors_and_stable_openid(base):
    assert code2session(base, 'no-such-code')['errcode'] == 40029
    code = login(base, 'bob')['code']
    other = code2session(base, code, OTHER_APPID, OTHER_SECRET)
    assert other['errcode'] == 40029  # codes belong to one app
    assert code2session(base, code, secret='bad')['errcode'] == 40125
    session = code2session(base, code)
    assert 'unionid' not in session
    assert login(base, 'bob')['openid'] == session['openid']
    assert login(base, 'bob', appid=OTHER_APPID)['openid'] \
        != session['openid']


def test_subscribe_send_is_recorded(base):
    openid = login(base)['openid']
    token = get_token(base)['access_token']
    result = send(base, token, touser=openid, template_id=TEMPLATE,
                  page='pages/order/index?id=42', data=MESSAGE_DATA)
    assert result['errcode'] == 0 and result['errmsg'] == 'ok'
    assert isinstance(result['msgid'], int)
    messages = requests.get(base + '/sim/messages', params={
        'touser': openid, 'template_id': TEMPLATE}).json()['messages']
    assert len(messages) == 1
    assert messages[0]['data'] == MESSAGE_DATA
    assert messages[0]['page'] == 'pages/order/index?id=42'
    assert messages[0]['appid'] == APPID
    assert requests.get(base + '/sim/messages', params={
        'template_id': 'other'}).json() == {'messages': []}


def test_subscribe_send_errors(base):
    openid = login(base)['openid']
    token = get_token(base)['access_token']
    assert send(base, 'bogus', touser=openid, template_id=TEMPLATE,
                data=MESSAGE_DATA)['errcode'] == 40001
    assert send(base, token, touser=openid,
                data=MESSAGE_DATA)['errcode'] == 47003
    assert send(base, token, touser='ounknown', template_id=TEMPLATE,
                data=MESSAGE_DATA)['errcode'] == 40003
    response = requests.post(
        base + '/cgi-bin/message/subscribe/send',
        params={'access_token': token}, data=b'{not json')
    assert response.status_code == 200
    assert response.json()['errcode'] == 47001


def test_expired_token(base):
    openid = login(base)['openid']
    token = get_token(base)['access_token']
    assert sim(base, '/sim/expire-tokens', {'appid': APPID})['expired'] == 1
    result = send(base, token, touser=openid, template_id=TEMPLATE,
                  data=MESSAGE_DATA)
    assert result['errcode'] == 42001


def test_fault_injection_errcode_then_success(base):
    openid = login(base)['openid']
    token = get_token(base)['access_token']
    sim(base, '/sim/faults', {'endpoint': 'subscribe_send', 'errcode': -1,
                              'errmsg': 'system error', 'count': 1})
    kwargs = dict(touser=openid, template_id=TEMPLATE, data=MESSAGE_DATA)
    assert send(base, token, **kwargs) == {
        'errcode': -1, 'errmsg': 'system error'}
    assert send(base, token, **kwargs)['errcode'] == 0
    stats = requests.get(base + '/sim/stats').json()
    assert stats['calls']['subscribe_send'] == 2
    assert len(requests.get(base + '/sim/messages').json()['messages']) == 1


def test_fault_injection_http_status_and_delay(base):
    sim(base, '/sim/faults', {'endpoint': 'token', 'http_status': 502})
    sim(base, '/sim/faults', {'endpoint': 'token', 'delay': 0.5})
    response = requests.get(base + '/cgi-bin/token')
    assert response.status_code == 502
    with pytest.raises(requests.Timeout):
        requests.get(base + '/cgi-bin/token', timeout=0.1)
    assert 'access_token' in get_token(base)


def test_control_api_rejects_bad_input(base):
    response = requests.post(base + '/sim/faults', json={'endpoint': 'x'})
    assert response.status_code == 400
    assert response.json()['errcode'] == 47003
    response = requests.post(base + '/sim/login-code', json={})
    assert response.status_code == 400
    response = requests.post(base + '/sim/login-code', data=b'[')
    assert response.status_code == 400
    assert response.json()['errcode'] == 47001


def test_encrypt_round_trips_with_wechatpy(base):
    phone = {'phoneNumber': '+8613800138000',
             'purePhoneNumber': '13800138000', 'countryCode': '86'}
    encrypted = sim(base, '/sim/encrypt', {'user': 'alice', 'data': phone})
    session_key = login(base)['session_key']  # stable across login
    crypto = WeChatWxaCrypto(session_key, encrypted['iv'], APPID)
    decrypted = crypto.decrypt_message(encrypted['encryptedData'])
    assert decrypted['phoneNumber'] == phone['phoneNumber']
    assert decrypted['purePhoneNumber'] == phone['purePhoneNumber']
    assert decrypted['watermark']['appid'] == APPID
    assert isinstance(decrypted['watermark']['timestamp'], int)
    with pytest.raises(InvalidAppIdException):
        WeChatWxaCrypto(session_key, encrypted['iv'], OTHER_APPID) \
            .decrypt_message(encrypted['encryptedData'])


def test_risk_rank(base):
    openid = login(base)['openid']
    client = SimulatorClient(base)
    body = {'appid': APPID, 'openid': openid, 'scene': 0,
            'client_ip': '127.0.0.1'}
    # wechatpy 1.8.18 has no wrapper for this API: post on wxa.
    result = client.wxa._post('wxa/business/getuserriskrank', data=body)
    assert result['risk_rank'] == 0
    assert result['errmsg'] == 'getuserriskrank succ'
    sim(base, '/sim/risk-rank', {'openid': openid, 'risk_rank': 4})
    result = client.wxa._post('wxa/business/getuserriskrank', data=body)
    assert result['risk_rank'] == 4


def test_wechatpy_client_end_to_end(base):
    login_info = login(base)
    client = SimulatorClient(base)
    session = client.wxa.code_to_session(login_info['code'])
    assert session['openid'] == login_info['openid']
    result = client.wxa.send_subscribe_message(
        login_info['openid'], TEMPLATE, MESSAGE_DATA, page='pages/index')
    assert result['errcode'] == 0
    # wechatpy refetches the token and retries on 42001 by itself.
    sim(base, '/sim/expire-tokens')
    result = client.wxa.send_subscribe_message(
        login_info['openid'], TEMPLATE, MESSAGE_DATA)
    assert result['errcode'] == 0
    assert requests.get(base + '/sim/stats').json()['tokens_issued'] \
        == {APPID: 2}
    # Other errors surface as WeChatClientException with the errcode.
    sim(base, '/sim/faults', {'endpoint': 'subscribe_send', 'errcode': -1})
    with pytest.raises(WeChatClientException) as info:
        client.wxa.send_subscribe_message(
            login_info['openid'], TEMPLATE, MESSAGE_DATA)
    assert info.value.errcode == -1


def test_reset_clears_state(base):
    login_info = login(base)
    get_token(base)
    sim(base, '/sim/reset')
    assert code2session(base, login_info['code'])['errcode'] == 40029
    assert requests.get(base + '/sim/stats').json() == {
        'tokens_issued': {}, 'calls': {'jscode2session': 1}}


def test_cli_starts_and_stops_on_sigterm():
    process = subprocess.Popen(
        [sys.executable, str(SIMULATOR_SCRIPT), '--port', '0', '--quiet',
         '--app', 'wxcli:cli-secret', '--token-ttl', '60'],
        stdout=subprocess.PIPE, universal_newlines=True)
    try:
        line = process.stdout.readline().strip()
        assert line.startswith('WeChat simulator listening on http://')
        url = line.rsplit(' ', 1)[1]
        token = get_token(url, 'wxcli', 'cli-secret')
        assert token['expires_in'] == 60
        assert json.loads(requests.get(url + '/sim/health').text)['ok']
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.stdout.close()

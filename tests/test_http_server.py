# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The mini-program API on a real Odoo server in workers mode."""
import concurrent.futures

import requests


def login(server, sim, user):
    code = sim("POST", "login-code", user=user)["code"]
    return requests.post(server + "/mp/v1/auth/login",
                         json={"code": code}, timeout=30)


def test_login_profile_logout(odoo_server, sim):
    response = login(odoo_server, sim, "http-user")
    assert response.status_code == 200, response.text
    token = response.json()["token"]
    auth = {"Authorization": "Bearer " + token}
    response = requests.put(odoo_server + "/mp/v1/me", headers=auth,
                            json={"nickname": "真实服务器"}, timeout=30)
    assert response.status_code == 200, response.text
    response = requests.get(odoo_server + "/mp/v1/me", headers=auth,
                            timeout=30)
    assert response.json()["nickname"] == "真实服务器"
    assert requests.post(odoo_server + "/mp/v1/auth/logout", headers=auth,
                         json={}, timeout=30).status_code == 200
    response = requests.get(odoo_server + "/mp/v1/me", headers=auth,
                            timeout=30)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_revoked"


def test_bad_input_never_500(odoo_server, sim):
    token = login(odoo_server, sim, "fuzz-user").json()["token"]
    auth = {"Authorization": "Bearer " + token,
            "Content-Type": "application/json"}
    bodies = [b"{", b"[]", b"\"x\"", b"{\"nickname\": [1]}",
              b"{\"avatar_url\": \"ftp://x\"}", b"\xff\xfe",
              ("{\"nickname\": \"" + "长" * 100 + "\"}").encode("utf-8"),
              b"[" * 100000, b"{\"nickname\": \"a\\u0000b\"}"]
    for body in bodies:
        response = requests.put(odoo_server + "/mp/v1/me", headers=auth,
                                data=body,
                                timeout=30)
        assert response.status_code == 400, (body, response.text)
        assert "Traceback" not in response.text
        assert response.json()["error"]["code"] in (
            "invalid_input", "invalid_json")
    response = requests.get(odoo_server + "/mp/v1/messages?page=" + "9" * 30,
                            headers=auth, timeout=30)
    assert response.status_code == 400, response.text
    response = requests.get(odoo_server + "/mp/v1/me", timeout=30, headers={
        "Authorization": "Bearer " + token, "Accept-Language": "x;q=abc"})
    assert response.status_code == 200, response.text
    for path in ("/mp/v1/none", "/mp/v1/me/999999", "/mp/v1/auth/nothing"):
        response = requests.get(odoo_server + path, headers=auth, timeout=30)
        assert response.status_code in (404, 405), (path, response.text)
        assert "error" in response.json()


def test_parallel_logins_of_many_users(odoo_server, sim):
    users = ["crowd-%d" % index for index in range(16)]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(
            lambda user: login(odoo_server, sim, user), users))
    assert all(r.status_code == 200 for r in responses), \
        [r.text for r in responses if r.status_code != 200]
    ids = {r.json()["profile"]["id"] for r in responses}
    assert len(ids) == len(users)


def test_parallel_first_logins_of_one_user_make_one_partner(
        odoo_server, sim):
    """A double-tapped first login: one partner, never a 500."""
    codes = [sim("POST", "login-code", user="double-tap")["code"]
             for _i in range(6)]
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        responses = list(pool.map(lambda code: requests.post(
            odoo_server + "/mp/v1/auth/login", json={"code": code},
            timeout=30), codes))
    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) <= {200, 409}, [r.text for r in responses]
    assert 200 in statuses
    ids = {r.json()["profile"]["id"] for r in responses
           if r.status_code == 200}
    assert len(ids) == 1
    # A retried login (new code) of the loser lands on the same partner.
    retry = login(odoo_server, sim, "double-tap")
    assert retry.json()["profile"]["id"] in ids

"""The shop API and the CLI create console logins; one shop never sees or deletes another's."""

from __future__ import annotations

from console_testing import log_in


def test_a_shop_creates_lists_and_deletes_logins_through_the_api(client, shop_headers, rival):
    body = {"email": "Desk@Bloemenshop.test", "password": "long enough secret", "role": "agent"}
    created = client.post("/api/v1/shop/users", json=body, headers=shop_headers)
    assert created.status_code == 201 and created.get_json()["email"] == "desk@bloemenshop.test"
    assert "password" not in created.get_json()
    assert client.post("/api/v1/shop/users", json=body, headers=shop_headers).status_code == 409
    short = client.post("/api/v1/shop/users", json={**body, "password": "short"}, headers=shop_headers)
    assert short.status_code == 422 and "password" in short.get_json()["error"]["fields"]
    listed = client.get("/api/v1/shop/users", headers=shop_headers).get_json()["users"]
    assert [user["email"] for user in listed] == ["desk@bloemenshop.test"]
    assert log_in(client, "desk@bloemenshop.test", "long enough secret").status_code == 302
    other = client.delete(f"/api/v1/shop/users/{rival['agent'].id}", headers=shop_headers)
    assert other.status_code == 404
    user_id = created.get_json()["id"]
    assert client.delete(f"/api/v1/shop/users/{user_id}", headers=shop_headers).status_code == 204
    assert client.get("/console").status_code == 302  # the deleted login's session ended


def test_the_users_api_is_documented(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/shop/users"]) and "delete" in paths["/api/v1/shop/users/{user_id}"]


def test_flask_shops_add_user_prompts_for_the_password(runner, shop):
    result = runner.invoke(args=["shops", "add-user", shop.name, "cli@bloemenshop.test", "--role", "admin"],
                           input="a password long enough\na password long enough\n")
    assert result.exit_code == 0, result.output
    assert "a password long enough" not in result.output.split("\n", 2)[-1]
    from app.models import StaffUser

    assert StaffUser.query.filter_by(email="cli@bloemenshop.test").one().role == "admin"

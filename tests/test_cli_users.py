"""``jobsmgmt users …`` through the CLI, and the token it prints working against the API."""

from __future__ import annotations

from jobsmgmt.extensions import db
from jobsmgmt.models import ApiToken, User


def test_create_list_and_token(runner, client):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "Ann@Example.com",
            "--name",
            "Ann Admin",
            "--role",
            "admin",
            "--password-stdin",
        ],
        input="a-long-password\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created admin ann@example.com" in result.output
    user = db.session.query(User).filter_by(email="ann@example.com").one()
    assert user.password_hash.startswith("scrypt:") and "a-long-password" not in user.password_hash

    listing = runner.invoke(args=["users", "list"])
    assert "ann@example.com\tAnn Admin\tadmin" in listing.output
    assert "system" not in listing.output.lower()

    token = runner.invoke(args=["users", "token", "ann@example.com"]).output.strip()
    assert token.startswith("jm_")
    assert db.session.query(ApiToken).filter_by(user_id=user.id).count() == 1
    created = client.post(
        "/api/jobs", json={"title": "Via CLI token"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert created.status_code == 201


def test_errors_are_clear(runner):
    short = runner.invoke(
        args=["users", "create", "b@example.com", "--name", "B", "--password-stdin"],
        input="short\n",
    )
    assert short.exit_code == 2 and "at least 8 characters" in short.output
    runner.invoke(
        args=["users", "create", "c@example.com", "--name", "C", "--password-stdin"],
        input="long-enough-1\n",
    )
    duplicate = runner.invoke(
        args=["users", "create", "C@example.com", "--name", "C", "--password-stdin"],
        input="long-enough-1\n",
    )
    assert duplicate.exit_code == 2 and "already exists" in duplicate.output
    unknown = runner.invoke(args=["users", "token", "nobody@example.com"])
    assert unknown.exit_code == 2 and "No user" in unknown.output
    bad_role = runner.invoke(
        args=[
            "users",
            "create",
            "d@example.com",
            "--name",
            "D",
            "--role",
            "owner",
            "--password-stdin",
        ],
        input="long-enough-1\n",
    )
    assert bad_role.exit_code == 2


def test_prompted_password(runner):
    result = runner.invoke(
        args=["users", "create", "e@example.com", "--name", "E", "--role", "viewer"],
        input="prompted-pass\nprompted-pass\n",
    )
    assert result.exit_code == 0, result.output

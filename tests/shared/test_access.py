"""Who may open the Rencontres page or update the shared base: the deployment decides; nothing configured: refused."""

from __future__ import annotations

from sentiers.access import AccessConfig, config_from_secrets, hash_password, identity_ok, password_ok


def test_nothing_configured_is_refused():
    assert config_from_secrets({}).mode == "refused"
    assert config_from_secrets({"rencontres": {"password_sha256": "pas-un-hash"}}).mode == "refused"

    class Broken:
        def get(self, key):
            raise FileNotFoundError("no secrets.toml")

    assert config_from_secrets(Broken()).mode == "refused"


def test_password_by_hash_or_in_clear():
    config = config_from_secrets({"rencontres": {"password_sha256": hash_password("s3cret!")}})
    assert config.mode == "password"
    assert (
        password_ok(config, "s3cret!") and not password_ok(config, "S3cret!") and not password_ok(config, "")
    )
    clear = config_from_secrets({"rencontres": {"password": "été"}})
    assert password_ok(clear, "été") and not password_ok(clear, "ete")


def test_identity_provider_with_allowed_emails():
    config = config_from_secrets(
        {"auth": {"client_id": "x"}, "rencontres": {"allowed_emails": ["Anne@Kiif.fr", "@programme.fr"]}}
    )
    assert config.mode == "identity"
    assert identity_ok(config, "anne@kiif.fr") and identity_ok(config, "bob@programme.fr")
    assert not identity_ok(config, "eve@kiif.fr") and not identity_ok(config, "bob@programme.fr.evil.com")
    assert not identity_ok(config, None)
    # an identity provider without a list of allowed e-mails opens nothing by itself
    assert AccessConfig(identity_provider=True).mode == "refused"


def test_the_admin_section_and_token_open_the_update_and_nothing_else(monkeypatch):
    from sentiers.access import admin_config

    monkeypatch.delenv("SENTIERS_ADMIN_TOKEN", raising=False)
    assert admin_config({}).mode == "refused"
    # the staff password of the Rencontres does not open the update, and the other way round
    assert admin_config({"rencontres": {"password": "équipe"}}).mode == "refused"
    assert config_from_secrets({"admin": {"password": "admin"}}).mode == "refused"
    by_secret = admin_config({"admin": {"password_sha256": hash_password("admin!")}})
    assert password_ok(by_secret, "admin!") and not password_ok(by_secret, "admin")

    monkeypatch.setenv("SENTIERS_ADMIN_TOKEN", "  jeton  ")
    by_token = admin_config({})
    assert by_token.mode == "password"
    assert (
        password_ok(by_token, "jeton")
        and not password_ok(by_token, "jeton ")
        and not password_ok(by_token, "")
    )
    both = admin_config({"admin": {"password": "autre"}})
    assert password_ok(both, "jeton") and password_ok(both, "autre")


def test_passwords_are_compared_in_constant_time(monkeypatch):
    import hmac

    import sentiers.access as access

    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(access.hmac, "compare_digest", spy)
    config = config_from_secrets({"admin": {"password": "x"}}, "admin")
    assert password_ok(config, "x")
    assert calls and all(len(a) == len(b) == 64 for a, b in calls)

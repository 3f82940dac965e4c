"""Who may open the Rencontres page: the deployment's secrets decide; nothing configured means refused."""

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

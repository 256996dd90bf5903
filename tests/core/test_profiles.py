"""Profiles on disk never hold a secret; secrets go to the keyring or stay in memory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from keyring.backends import fail

from tests.conftest import MemoryKeyring
from workbench.core.errors import ConfigError
from workbench.core.profiles import Profile, ProfileStore, config_dir
from workbench.core.secrets import SERVICE, SecretStore

SECRET = "s3cr3t-value-that-must-not-leak"


def _profile() -> Profile:
    return Profile(
        name="work",
        issuer="https://idp.example",
        client_id="app",
        auth_method="client_secret_post",
        scope="openid api",
        extra_params={"audience": "https://api.example"},
        redirect_port=8765,
    )


def test_profile_round_trip_under_the_redirected_config_dir(tmp_path: Path) -> None:
    store = ProfileStore()
    assert store.path.parent == config_dir() == tmp_path / "config"
    store.save(_profile())
    assert ProfileStore().get("work") == _profile()


def test_pkce_on_device_requests_is_kept_and_reaches_the_provider() -> None:
    store = ProfileStore()
    assert Profile(name="old").device_pkce is False  # older files read as before
    store.save(Profile(name="kc", issuer="https://kc.example/realms/r", device_pkce=True))
    saved = json.loads(store.path.read_text("utf-8"))["profiles"][0]
    assert saved["device_pkce"] is True
    assert ProfileStore().get("kc").to_provider().device_pkce is True
    assert Profile.from_dict({"name": "older", "issuer": "https://x"}).device_pkce is False


def test_secret_goes_to_keyring_not_the_profile_file(isolated_paths: MemoryKeyring) -> None:
    store, secrets = ProfileStore(), SecretStore()
    store.save(_profile())
    secrets.set("work", SECRET)
    assert secrets.persistent
    assert isolated_paths.store[(SERVICE, "work:client_secret")] == SECRET
    text = store.path.read_text("utf-8")
    assert SECRET not in text
    assert "secret" not in json.loads(text)["profiles"][0]
    provider = store.get("work").to_provider(secrets)
    assert provider.client.client_secret == SECRET
    assert provider.client.method == "client_secret_post"
    assert SECRET not in repr(provider)


def test_without_a_keyring_secrets_stay_in_memory_and_it_is_said() -> None:
    secrets = SecretStore(backend=None, use_keyring=False)
    secrets.set("work", SECRET)
    assert not secrets.persistent
    assert secrets.get("work") == SECRET
    assert "in memory for this session" in secrets.where()


def test_the_fail_backend_counts_as_no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring

    keyring.set_keyring(fail.Keyring())
    secrets = SecretStore()
    assert not secrets.persistent
    secrets.set("p", SECRET)
    assert secrets.get("p") == SECRET


def test_profile_validation_messages() -> None:
    with pytest.raises(ConfigError, match="needs an issuer"):
        ProfileStore().save(Profile(name="empty"))
    with pytest.raises(ConfigError, match="profile name"):
        ProfileStore().save(Profile(name="bad/name", issuer="https://x"))


def test_unknown_profile_lists_known_ones() -> None:
    ProfileStore().save(_profile())
    with pytest.raises(ConfigError, match="profiles: work"):
        ProfileStore().get("nope")


def test_corrupt_profile_file_is_a_config_error() -> None:
    store = ProfileStore()
    store.directory.mkdir(parents=True)
    store.path.write_text("{not json", "utf-8")
    with pytest.raises(ConfigError, match="Cannot read profiles"):
        store.load_all()

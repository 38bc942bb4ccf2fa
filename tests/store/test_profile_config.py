"""The person's profile, the config file, the provider profile and safe file writes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from homecare.errors import ConfigError
from homecare.profiles.provider import load_provider
from homecare.store.config import Config, load_config
from homecare.store.files import atomic_write, move_aside
from homecare.store.profile import PersonProfile, load_profile, save_profile


def test_profile_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "config" / "profile.toml"
    profile = PersonProfile(skill="expert", language="de", verbosity="detailed", symbols=False)
    profile = profile.with_consent(share=True, offers=False)
    assert save_profile(path, profile) is None
    loaded = load_profile(path)
    assert loaded == profile
    assert loaded.consent.share is True
    assert loaded.consent.share_given_at is not None


def test_missing_profile_is_the_default(tmp_path: Path) -> None:
    assert load_profile(tmp_path / "nope.toml") == PersonProfile()


def test_corrupt_profile_is_moved_aside_on_save(tmp_path: Path) -> None:
    path = tmp_path / "profile.toml"
    path.write_bytes(b"skill = [unclosed\n")
    with pytest.raises(ConfigError, match=re.escape(str(path))):
        load_profile(path)
    aside = save_profile(path, PersonProfile(skill="technician"))
    assert aside is not None
    assert aside.name.startswith("profile.toml.corrupt-")
    assert aside.read_bytes() == b"skill = [unclosed\n"
    assert load_profile(path).skill == "technician"


def test_invalid_profile_field_is_named(tmp_path: Path) -> None:
    path = tmp_path / "profile.toml"
    path.write_text('skill = "wizard"\n')
    with pytest.raises(ConfigError) as info:
        load_profile(path)
    assert str(path) in str(info.value)
    assert "'skill'" in str(info.value)


def test_config_defaults_when_missing(tmp_path: Path) -> None:
    assert load_config(tmp_path / "config.toml") == Config()


def test_config_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('provider = "acme"\ndisabled_plugins = ["x"]\n')
    assert load_config(path) == Config(provider="acme", disabled_plugins=["x"])


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("provider = 3\n", "provider"),
        ("colour = true\n", "colour"),
        ('disabled_plugins = "x"\n', "disabled_plugins"),
    ],
)
def test_config_errors_name_file_and_field(tmp_path: Path, text: str, field: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert str(path) in message
    assert f"'{field}'" in message
    assert "\n" not in message
    assert path.read_text() == text  # left for the user to fix


def test_unparseable_config_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("provider = \n")
    with pytest.raises(ConfigError, match=re.escape("config.toml")):
        load_config(path)


def test_provider_profile_errors(tmp_path: Path) -> None:
    bad = tmp_path / "acme.toml"
    bad.write_text("[thresholds]\nping_count = 0\n")
    with pytest.raises(ConfigError) as info:
        load_provider(str(bad))
    assert str(bad) in str(info.value)
    assert "thresholds.ping_count" in str(info.value)
    with pytest.raises(ConfigError, match="not found"):
        load_provider(str(tmp_path / "missing.toml"))


def test_provider_profile_loads(tmp_path: Path) -> None:
    path = tmp_path / "loop.toml"
    path.write_text('name = "Loop"\n[targets]\ninternet_hosts = ["127.0.0.1"]\n')
    profile = load_provider(str(path))
    assert profile.name == "Loop"
    assert profile.targets.internet_hosts == ["127.0.0.1"]
    assert profile.thresholds.loss_warn == 0.02


def test_atomic_write_and_move_aside(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "file.bin"
    atomic_write(path, b"one")
    atomic_write(path, b"two")
    assert path.read_bytes() == b"two"
    assert [p.name for p in path.parent.iterdir()] == ["file.bin"]  # no temp files left
    first = move_aside(path)
    atomic_write(path, b"three")
    second = move_aside(path)
    assert first != second
    assert first.read_bytes() == b"two"
    assert second.read_bytes() == b"three"
    assert not path.exists()

"""A provider profile for the virtual home's own "ISP".

homecare's defaults probe public addresses; inside the lab those do not
exist (and must not be reached). This profile points every target at the
lab's provider namespace, so ``homecare check`` in the laptop namespace
measures the virtual home and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import tomli_w

from homecare_lab import addresses
from homecare_lab.spec import WanSpec


def provider_profile(wan: WanSpec | None = None) -> dict[str, object]:
    """The profile as a dict (plan rates = the WAN's shaped rates)."""
    wan = wan or WanSpec()
    return {
        "name": "Virtual home ISP",
        "support": {"phone": "+1 555 0100", "url": "http://homecare.test/support"},
        "targets": {
            "internet_hosts": [addresses.INTERNET],
            "dns_names": ["example.com", "homecare.test"],
            "provider_resolver": addresses.RESOLVER,
            "captive_url": addresses.CHECK_URL,
            "captive_expect_status": 204,
        },
        "speed": {
            "librespeed_urls": [f"http://{addresses.LIBRESPEED}/"],
            "ndt7_locate_url": addresses.NDT7_LOCATE_URL,
            "ndt7_secure": False,
            "cloudflare_url": addresses.CLOUDFLARE_URL,
            "nq_config_url": addresses.NQ_CONFIG_URL,
            "plan_down_mbit": wan.down_mbit,
            "plan_up_mbit": wan.up_mbit,
        },
    }


def provider_profile_toml(wan: WanSpec | None = None) -> str:
    return tomli_w.dumps(provider_profile(wan))


def write_provider_file(
    folder: Path, wan: WanSpec | None = None, **sections: Mapping[str, object]
) -> Path:
    """``folder/lab-isp.toml`` (readable by every user): the lab's profile with
    *sections* merged in (``thresholds={...}``, ``speed={...}`` for short tests)."""
    profile = provider_profile(wan)
    for name, values in sections.items():
        base = profile.get(name)
        profile[name] = {**base, **values} if isinstance(base, dict) else dict(values)
    path = folder / "lab-isp.toml"
    path.write_text(tomli_w.dumps(profile))
    path.chmod(0o644)
    return path


def lab_homecare_home(root: Path) -> Path:
    """A HOMECARE_HOME under *root* for automated runs in the lab.

    Its config turns off the host-load plugin: that plugin judges this
    machine's CPU, which parallel test runs keep busy, so its finding would
    depend on the neighbours rather than on the home under test.
    """
    home = root / "hc"
    (home / "config").mkdir(parents=True, exist_ok=True)
    config = home / "config" / "config.toml"
    config.write_text('disabled_plugins = ["homecare_plugin_host_load"]\n')
    (home / "config").chmod(0o755)
    config.chmod(0o644)
    return home

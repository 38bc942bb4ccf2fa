"""The virtual home: a whole home network built from Linux network namespaces.

Used by end-to-end tests (``tests/e2e``) and by ``scripts/virtual-home`` so
homecare can be exercised against a network whose ground truth is known,
without sending a single packet on the host's real network.  See
docs/virtual-home.md.
"""

from __future__ import annotations

from homecare_lab.catalog import TEMPLATES, catalogue_devices, template_device
from homecare_lab.home import LabError, VirtualHome
from homecare_lab.spec import (
    DeviceSpec,
    HomeSpec,
    LanSpec,
    LaptopSpec,
    ServiceSpec,
    SpecError,
    SsdpSpec,
    WanSpec,
)

__all__ = [
    "TEMPLATES",
    "DeviceSpec",
    "HomeSpec",
    "LabError",
    "LanSpec",
    "LaptopSpec",
    "ServiceSpec",
    "SpecError",
    "SsdpSpec",
    "VirtualHome",
    "WanSpec",
    "catalogue_devices",
    "template_device",
]

"""Fixed addressing of the WAN and the "internet" behind the provider.

Only documentation/shared ranges are used (RFC 6598 100.64/10 for the WAN,
RFC 5737 198.51.100/24 and 203.0.113/24 for the provider's servers), and
they exist only inside the run's namespaces.
"""

from __future__ import annotations

WAN_ROUTER = "100.64.77.1"
WAN_PROVIDER = "100.64.77.2"
WAN_PREFIX = 30

RESOLVER = "198.51.100.53"  # provider DNS resolver
LIBRESPEED = "198.51.100.80"  # LibreSpeed server, port 80
OOKLA = "198.51.100.81"  # speedtest.net-protocol server, ports 80 and 8080
NDT7 = "198.51.100.87"  # M-Lab-style ndt7 server and Locate API v2, port 80
CLOUDFLARE = "198.51.100.88"  # Cloudflare-style __down/__up speed server, port 80
NQ = "198.51.100.89"  # responsiveness (IETF draft, /.well-known/nq) server, ports 80 and 443
CONNECTIVITY = "198.51.100.204"  # captive-portal check endpoint, port 80
IPERF = "198.51.100.5"  # where tests run iperf3 -s
INTERNET = "203.0.113.10"  # "well-known internet address": ICMP echo, TCP 80/443

PROVIDER_ADDRESSES = (
    RESOLVER, LIBRESPEED, OOKLA, NDT7, CLOUDFLARE, NQ, CONNECTIVITY, IPERF, INTERNET,
)  # fmt: skip

#: Names the provider resolver answers (everything else is NXDOMAIN).
DNS_NAMES: dict[str, str] = {
    "example.com": INTERNET,
    "www.example.com": INTERNET,
    "homecare.test": INTERNET,
    "www.homecare.test": INTERNET,
    "speedtest.homecare.test": LIBRESPEED,
    "librespeed.homecare.test": LIBRESPEED,
    "www.speedtest.net": OOKLA,
    "c.speedtest.net": OOKLA,
    "ookla.homecare.test": OOKLA,
    "iperf.homecare.test": IPERF,
    "locate.measurementlab.net": NDT7,
    "ndt7.homecare.test": NDT7,
    "speed.cloudflare.com": CLOUDFLARE,
    "nq.homecare.test": NQ,
    "connectivity.homecare.test": CONNECTIVITY,
    "connectivitycheck.gstatic.com": CONNECTIVITY,
    "www.gstatic.com": CONNECTIVITY,
    "captive.apple.com": CONNECTIVITY,
    "detectportal.firefox.com": CONNECTIVITY,
    "www.msftconnecttest.com": CONNECTIVITY,
}

#: Names speedtest-cli needs, pinned in the laptop's /etc/netns/<ns>/hosts.
LAPTOP_HOSTS: dict[str, str] = {
    "www.speedtest.net": OOKLA,
    "c.speedtest.net": OOKLA,
    "ookla.homecare.test": OOKLA,
}

CHECK_URL = "http://connectivity.homecare.test/generate_204"
#: The lab's Locate API (plain ws://: no certificates in the lab).
NDT7_LOCATE_URL = f"http://{NDT7}/v2/nearest/ndt/ndt7"
CLOUDFLARE_URL = f"http://{CLOUDFLARE}"
#: The lab's responsiveness server in plain http.
NQ_CONFIG_URL = f"http://{NQ}/.well-known/nq"
#: The same server over TLS (port 443), with a certificate for this name only
#: from the home's own CA (``VirtualHome.ca_file``, ``homecare_lab.lab_ca``).
NQ_NAME = "nq.homecare.test"
NQ_TLS_CONFIG_URL = f"https://{NQ_NAME}/.well-known/nq"
OOKLA_SERVER_HOST = "ookla.homecare.test:8080"
PORTAL_PORT = 8080  # captive portal, on the router's LAN address

"""The running virtual home: build, query, break and tear down.

``VirtualHome(spec)`` is a context manager.  Entering builds the namespaces
(router with LAN bridge, dnsmasq, NAT and a shaped WAN; provider with
resolver, speed servers and connectivity check; laptop; devices with their
services) and records the run in ``/run/homecare-lab``; leaving tears all of
it down.  Teardown also runs from ``atexit`` and on SIGTERM/SIGHUP, and a run
killed outright is removed by the next run's start (see ``state``).

Nothing is ever configured in the host's root namespace: every ``ip``/``tc``/
``nft`` command names one of the run's namespaces.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, replace
from pathlib import Path
from types import FrameType, TracebackType
from typing import IO, Any

from homecare_lab import addresses, dnsmasq, miniupnpd, netns, shaping
from homecare_lab.lab_ca import LabCA
from homecare_lab.names import (
    DELAY_PROVIDER_SIDE,
    DELAY_ROUTER_SIDE,
    HOST_IF,
    LAN_BRIDGE,
    LAPTOP_PORT,
    PROVIDER_NET,
    PROVIDER_WAN,
    ROUTER_WAN,
    RunNames,
    new_run_id,
)
from homecare_lab.oui import VENDOR_OUIS, is_locally_administered, vendor_of_mac
from homecare_lab.spec import DeviceSpec, HomeSpec, WanSpec
from homecare_lab.state import RunRecord, clean_stale_runs, kill_pids, teardown_record

_UDHCPC_SCRIPT = """#!/bin/sh
# udhcpc event script for the virtual laptop: configure the interface only.
# (DNS comes from /etc/netns/<ns>/resolv.conf written by the lab.)
case "$1" in
  deconfig)
    ip -4 addr flush dev "$interface"
    ip link set "$interface" up
    ;;
  bound|renew)
    ip -4 addr flush dev "$interface"
    ip addr add "$ip/$mask" dev "$interface"
    if [ -n "$router" ]; then
      ip route replace default via "${router%% *}" dev "$interface"
    fi
    echo "$ip" > "$LAB_LEASE_OUT"
    ;;
esac
exit 0
"""


class LabError(RuntimeError):
    """The virtual home could not be built or operated."""


#: The TCP buffer maximum of a home with a base round trip (the host's own default).
LARGE_TCP_BUFFER = 32 * 1024 * 1024


def _laptop_mac(spec: HomeSpec) -> str:
    if spec.laptop.mac:
        return spec.laptop.mac.lower()
    oui = VENDOR_OUIS[spec.laptop.vendor][0]
    tail = hashlib.sha256(f"{spec.name}/laptop".encode()).digest()[:3]
    return ":".join(f"{b:02x}" for b in (*bytes.fromhex(oui), *tail))


def _child_env() -> dict[str, str]:
    """Environment for helper processes: this lab and the homecare it tests must be
    importable even when neither is installed (a bare checkout)."""
    import homecare

    dirs = [
        str(Path(__file__).resolve().parents[1]),
        str(Path(homecare.__file__).resolve().parents[1]),
    ]
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": ":".join([*dirs, path] if path else dirs)}


def _router_mac(spec: HomeSpec) -> str:
    tail = hashlib.sha256(f"{spec.name}/router".encode()).digest()[:3]
    return ":".join(f"{b:02x}" for b in (*bytes.fromhex(VENDOR_OUIS["tplink"][0]), *tail))


def _stable_igd_uuid(run_id: str) -> str:
    h = hashlib.sha256(f"igd/{run_id}".encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


#: the longest any lab wait may take: a hang detector, not a delay that tunes a test
SANITY_LIMIT_S = 90.0


class VirtualHome:
    """A home network made of network namespaces, built from a ``HomeSpec``."""

    def __init__(self, spec: HomeSpec, *, run_id: str | None = None) -> None:
        self.spec = spec.resolved()
        self.names = RunNames(run_id or new_run_id())
        self.laptop_mac = _laptop_mac(self.spec)
        self.router_mac = _router_mac(self.spec)
        self.workdir = Path()
        #: the home's own CA (made at start): trust it with SSL_CERT_FILE
        self.ca_file = Path()
        self.laptop_ip: str | None = None
        self._record: RunRecord | None = None
        self._procs: dict[str, subprocess.Popen[bytes]] = {}
        self._spawned: list[subprocess.Popen[bytes]] = []
        self._absent: set[str] = set()
        self._faults: dict[str, Any] = {}
        self._wan: WanSpec = self.spec.wan
        self._lock = threading.Lock()
        self._closed = False
        self._old_handlers: dict[int, Any] = {}
        self.timings: dict[str, float] = {}

    # ------------------------------------------------------------------ naming

    @property
    def run_id(self) -> str:
        return self.names.run_id

    @property
    def laptop_ns(self) -> str:
        return self.names.laptop

    @property
    def router_ns(self) -> str:
        return self.names.router

    @property
    def provider_ns(self) -> str:
        return self.names.provider

    @property
    def router_ip(self) -> str:
        return self.spec.router_ip

    @property
    def lease_file(self) -> Path:
        return self.workdir / "dnsmasq.leases"

    def device_ns(self, name: str) -> str:
        return self.names.device(self._device_index(name))

    def _device_index(self, name: str) -> int:
        for i, d in enumerate(self.spec.devices):
            if d.name == name:
                return i
        raise KeyError(f"no device named {name!r}")

    def namespaces(self) -> list[str]:
        delay = [self.names.delay] if self.delayed else []
        return [*self.names.all_namespaces(len(self.spec.devices)), *delay]

    @property
    def delayed(self) -> bool:
        """The WAN runs through the user-space delay line (``WanSpec.rtt_ms`` > 0)."""
        return self.spec.wan.rtt_ms > 0

    # --------------------------------------------------------------- lifecycle

    def __enter__(self) -> VirtualHome:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def start(self) -> VirtualHome:
        """Build the whole home; on any failure, tear down what was built and re-raise."""
        if os.geteuid() != 0:
            raise LabError("the virtual home needs root (network namespaces)")
        t0 = time.monotonic()
        clean_stale_runs()
        self.workdir = Path(tempfile.mkdtemp(prefix=f"{self.names.stem}-"))
        rec = RunRecord.new(self.run_id, str(self.workdir))
        rec.namespaces = self.namespaces()
        rec.etc_netns = [self.laptop_ns, self.router_ns, self.provider_ns]
        rec.save()
        self._record = rec
        self._install_exit_hooks()
        try:
            self._build()
        except BaseException:
            self.close()
            raise
        self.timings["up_s"] = time.monotonic() - t0
        return self

    def close(self) -> None:
        """Tear everything down (idempotent; safe from atexit and signal handlers)."""
        with self._lock:
            if self._closed or self._record is None:
                return
            self._closed = True
        t0 = time.monotonic()
        rec = self._record
        for proc in [*self._spawned, *self._procs.values()]:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.terminate()
        deadline = time.monotonic() + 3
        for proc in [*self._spawned, *self._procs.values()]:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.05, deadline - time.monotonic()))
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        teardown_record(rec)
        self._restore_signal_handlers()
        with contextlib.suppress(Exception):
            atexit.unregister(self.close)
        self.timings["down_s"] = time.monotonic() - t0

    def _install_exit_hooks(self) -> None:
        atexit.register(self.close)
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in (signal.SIGTERM, signal.SIGHUP):
            old = signal.getsignal(sig)
            self._old_handlers[sig] = old

            def handler(signum: int, frame: FrameType | None, old: Any = old) -> None:
                self.close()
                if callable(old):
                    old(signum, frame)
                raise SystemExit(128 + signum)

            signal.signal(sig, handler)

    def _restore_signal_handlers(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for sig, old in self._old_handlers.items():
            with contextlib.suppress(ValueError, TypeError):
                signal.signal(sig, old)
        self._old_handlers.clear()

    def _track(self, pid: int) -> None:
        assert self._record is not None
        self._record.pids.append(pid)
        self._record.save()

    # ------------------------------------------------------------------ build

    def _build(self) -> None:
        t = time.monotonic()
        netns.run(
            ["ip", "-batch", "-"], stdin="".join(f"netns add {ns}\n" for ns in self.namespaces())
        )
        self._build_links()
        self.timings["links_s"] = time.monotonic() - t
        self._write_files()
        self._build_router_rules()
        self._start_daemons()
        self.timings["daemons_s"] = time.monotonic() - t
        if self.spec.laptop.dhcp:
            self.laptop_ip = self._run_dhcp_client()
        else:
            self.laptop_ip = self.spec.laptop_static_ip
        self._wait_device_agent()
        self.timings["devices_ready_s"] = time.monotonic() - t

    def _build_links(self) -> None:
        spec, n = self.spec, self.names
        prefix = spec.network.prefixlen
        router = [
            "link set lo up",
            f"link add {LAN_BRIDGE} address {self.router_mac} type bridge"
            " mcast_snooping 0 stp_state 0",
            f"addr add {spec.router_ip}/{prefix} dev {LAN_BRIDGE}",
            f"link set {LAN_BRIDGE} up",
            f"link add {ROUTER_WAN} type veth peer name {PROVIDER_WAN} netns {n.provider}"
            if not self.delayed
            else f"link add {ROUTER_WAN} type veth peer name {DELAY_ROUTER_SIDE} netns {n.delay}",
            f"addr add {addresses.WAN_ROUTER}/{addresses.WAN_PREFIX} dev {ROUTER_WAN}",
            f"link set {ROUTER_WAN} up",
            f"route add default via {addresses.WAN_PROVIDER}",
            f"link add {LAPTOP_PORT} type veth peer name {HOST_IF} address {self.laptop_mac}"
            f" netns {n.laptop}",
            f"link set {LAPTOP_PORT} master {LAN_BRIDGE} up",
        ]
        for i, d in enumerate(spec.devices):
            port = n.device_port(i)
            router.append(
                f"link add {port} type veth peer name {HOST_IF} address {d.mac} netns {n.device(i)}"
            )
            router.append(f"link set {port} master {LAN_BRIDGE} up")
        netns.ip_batch(router, n.router)
        if self.delayed:  # router <-> delay line <-> provider, no addresses in between
            netns.ip_batch(
                [
                    "link set lo up",
                    f"link add {DELAY_PROVIDER_SIDE} type veth peer name {PROVIDER_WAN}"
                    f" netns {n.provider}",
                    f"link set {DELAY_ROUTER_SIDE} up",
                    f"link set {DELAY_PROVIDER_SIDE} up",
                ],
                n.delay,
            )
            # a new namespace gets the kernel's 6 MB tcp_rmem / 4 MB tcp_wmem
            # maxima: one flow then stops at a 3 MB window, 800 Mbit/s at 30 ms;
            # desktop systems autotune further, so the lab's endpoints do too
            for ns in (n.laptop, n.provider):
                for key in ("tcp_rmem", "tcp_wmem"):
                    netns.ns_run(
                        ns, ["sysctl", "-qw", f"net.ipv4.{key}=4096 131072 {LARGE_TCP_BUFFER}"]
                    )
        provider = [
            "link set lo up",
            f"addr add {addresses.WAN_PROVIDER}/{addresses.WAN_PREFIX} dev {PROVIDER_WAN}",
            f"link set {PROVIDER_WAN} up",
            *(f"addr add {a}/32 dev {PROVIDER_NET}" for a in addresses.PROVIDER_ADDRESSES),
        ]
        netns.ip_batch(provider, n.provider)
        laptop = ["link set lo up", f"link set {HOST_IF} up"]
        if not spec.laptop.dhcp:
            laptop += [
                f"addr add {spec.laptop_static_ip}/{prefix} dev {HOST_IF}",
                f"route add default via {spec.router_ip}",
            ]
        netns.ip_batch(laptop, n.laptop)

        def device_cmds(i: int) -> None:
            d = spec.devices[i]
            netns.ip_batch(
                [
                    "link set lo up",
                    f"addr add {d.ip}/{prefix} dev {HOST_IF}",
                    f"link set {HOST_IF} up",
                    f"route add default via {spec.router_ip}",
                ],
                n.device(i),
            )

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(device_cmds, range(len(spec.devices))))

    def _write_files(self) -> None:
        w = self.workdir
        (w / "router.conf").write_text(dnsmasq.router_conf(self.spec, w))
        (w / "router.hosts").write_text(dnsmasq.router_hosts(self.spec))
        (w / "provider.conf").write_text(dnsmasq.provider_conf(w))
        (w / "provider.hosts").write_text(dnsmasq.provider_hosts())
        (w / "dnsmasq.leases").touch()
        # Router and provider resolve through the provider's resolver, never the host's.
        for ns, name in ((self.router_ns, "router"), (self.provider_ns, "isp")):
            etc = netns.ETC_NETNS / ns
            etc.mkdir(parents=True, exist_ok=True)
            (etc / "resolv.conf").write_text(f"nameserver {addresses.RESOLVER}\n")
            (etc / "hosts").write_text(f"127.0.0.1 localhost\n127.0.1.1 {name}\n")
        etc = netns.ETC_NETNS / self.laptop_ns
        etc.mkdir(parents=True, exist_ok=True)
        (etc / "resolv.conf").write_text(
            f"nameserver {self.spec.router_ip}\nsearch {self.spec.lan.domain}\n"
        )
        hosts = [
            "127.0.0.1 localhost",
            f"127.0.1.1 {self.spec.laptop.hostname}",
            "::1 localhost ip6-localhost ip6-loopback",
        ]
        hosts += [f"{ip} {name}" for name, ip in addresses.LAPTOP_HOSTS.items()]
        (etc / "hosts").write_text("\n".join(hosts) + "\n")
        agent = {
            "runmark": self.run_id,
            "devices": [self._agent_entry(i, d) for i, d in enumerate(self.spec.devices)],
        }
        (w / "devices.json").write_text(json.dumps(agent))

    def _agent_entry(self, i: int, d: DeviceSpec) -> dict[str, Any]:
        return {
            "ns": self.names.device(i),
            "name": d.name,
            "ip": d.ip,
            "hostname": d.hostname,
            "friendly_name": d.display_name,
            "services": [
                {"type": s.type, "name": s.name, "port": s.port, "txt": dict(s.txt)}
                for s in d.services
            ],
            "ssdp": asdict(d.ssdp) if d.ssdp else None,
            "tcp_ports": list(d.tcp_ports),
        }

    def _build_router_rules(self) -> None:
        netns.sysctl(self.router_ns, net__ipv4__ip_forward="1")
        # byte counts per flow, so router mode can tell who is using the line
        netns.sysctl(self.router_ns, net__netfilter__nf_conntrack_acct="1")
        netns.nft(self.router_ns, shaping.nat_ruleset(self.spec.lan.subnet))
        self._apply_wan(self._wan)

    def _apply_wan(self, wan: WanSpec) -> None:
        netns.ns_run(self.router_ns, shaping.tbf_args(ROUTER_WAN, wan.up_mbit, wan))
        # the download's shaper: with a delay line, on its egress towards the
        # router, a hop that is not the sending server's own host (there TCP
        # Small Queues keep each flow's share of the qdisc to about a
        # millisecond, so a long download queue never filled)
        where, device = (
            (self.names.delay, DELAY_ROUTER_SIDE)
            if self.delayed
            else (self.provider_ns, PROVIDER_WAN)
        )
        netns.ns_run(where, shaping.tbf_args(device, wan.down_mbit, wan))
        netns.nft(self.router_ns, shaping.loss_ruleset(wan))
        self._wan = wan

    def _popen(
        self, key: str, namespace: str, argv: Sequence[str], stdout: int | IO[bytes] | None = None
    ) -> subprocess.Popen[bytes]:
        log = (self.workdir / f"{key}.log").open("ab")
        proc = subprocess.Popen(
            netns.in_ns(namespace, argv),
            env=_child_env(),
            stdin=subprocess.DEVNULL,
            stdout=stdout if stdout is not None else log,
            stderr=log,
            start_new_session=True,
        )
        log.close()
        self._procs[key] = proc
        self._track(proc.pid)
        return proc

    def _start_daemons(self) -> None:
        w = self.workdir
        py = sys.executable
        if self.delayed:
            (w / "wan-rtt-ms").write_text(f"{self.spec.wan.rtt_ms}\n")
            self._popen(
                "wan-delay",
                self.names.delay,
                [py, "-m", "homecare_lab.delay_line", DELAY_ROUTER_SIDE, DELAY_PROVIDER_SIDE,
                 "--rtt-ms", str(self.spec.wan.rtt_ms), "--rtt-file", str(w / "wan-rtt-ms"),
                 "--runmark", self.run_id],
            )  # fmt: skip
        self._popen("router-dnsmasq", self.router_ns, dnsmasq.command(w / "router.conf"))
        self._popen("provider-dnsmasq", self.provider_ns, dnsmasq.command(w / "provider.conf"))
        ca = LabCA(w / "tls", "lab")
        self.ca_file = ca.ca_file
        nq = ca.issue("nq", (addresses.NQ_NAME,))
        self._popen(
            "provider-services",
            self.provider_ns,
            [py, "-m", "homecare_lab.services", "provider", self.run_id,
             "--nq-cert", str(nq.cert_file), "--nq-key", str(nq.key_file)],
        )  # fmt: skip
        if self.spec.devices:
            self._popen(
                "device-agent",
                self.router_ns,
                [py, "-m", "homecare_lab.device_agent", str(w / "devices.json")],
                stdout=subprocess.PIPE,
            )
        igd = self.spec.igd and miniupnpd.available()
        if igd:
            conf = w / "miniupnpd.conf"
            conf.write_text(
                miniupnpd.config(
                    w,
                    self.spec.lan.subnet,
                    self.spec.wan.down_mbit,
                    self.spec.wan.up_mbit,
                    _stable_igd_uuid(self.run_id),
                )
            )
            self._popen("router-miniupnpd", self.router_ns, miniupnpd.command(conf))
        self._wait_tcp(self.router_ns, self.spec.router_ip, 53, "router dnsmasq")
        if igd:
            self._wait_tcp(self.router_ns, self.spec.router_ip, miniupnpd.HTTP_PORT, "miniupnpd")
        self._wait_tcp(self.provider_ns, addresses.RESOLVER, 53, "provider dnsmasq")
        for addr, port in (
            (addresses.LIBRESPEED, 80),
            (addresses.OOKLA, 8080),
            (addresses.NDT7, 80),
            (addresses.CLOUDFLARE, 80),
            (addresses.NQ, 80),
            (addresses.NQ, 443),
            (addresses.CONNECTIVITY, 80),
            (addresses.INTERNET, 443),
        ):
            self._wait_tcp(self.provider_ns, addr, port, "provider services")

    def _wait_tcp(
        self, namespace: str, addr: str, port: int, what: str, timeout: float = SANITY_LIMIT_S
    ) -> None:
        """Until *addr*:*port* accepts, or one of the lab's processes has died.

        Bounded by conditions, not by a tuned delay: a dead helper fails at
        once with its log, a live one is given until the sanity limit (two
        loaded cores can make a daemon take many seconds to bind).
        """
        deadline = time.monotonic() + timeout
        while True:
            with netns.enter(namespace):
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                sock.settimeout(0.5)
                sock.connect((addr, port))
                return
            except OSError as exc:
                if time.monotonic() > deadline:
                    raise LabError(f"{what} did not start: {exc}; see {self.workdir}") from exc
                for key, proc in self._procs.items():
                    if proc.poll() is not None:
                        log = (self.workdir / f"{key}.log").read_text(errors="replace")[-2000:]
                        raise LabError(f"{key} exited ({proc.returncode}):\n{log}") from exc
                time.sleep(0.05)
            finally:
                sock.close()

    def _wait_device_agent(self, timeout: float = 30) -> None:
        proc = self._procs.get("device-agent")
        if proc is None or proc.stdout is None:
            return
        result: list[bytes] = []
        reader = threading.Thread(target=lambda: result.append(proc.stdout.readline()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        reader.join(timeout)
        if not result or result[0].strip() != b"READY":
            log = (self.workdir / "device-agent.log").read_text(errors="replace")[-3000:]
            raise LabError(f"device agent not ready after {timeout}s:\n{log}")

    def _run_dhcp_client(self) -> str:
        w = self.workdir
        script = w / "udhcpc.script"
        script.write_text(_UDHCPC_SCRIPT)
        script.chmod(0o755)
        out = w / "laptop.lease"
        argv = [
            "busybox", "udhcpc", "-i", HOST_IF, "-f", "-q", "-n", "-t", "10", "-T", "1",
            "-s", str(script), "-x", f"hostname:{self.spec.laptop.hostname}",
        ]  # fmt: skip
        proc = subprocess.run(
            netns.in_ns(self.laptop_ns, argv),
            env={**os.environ, "LAB_LEASE_OUT": str(out)},
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        (w / "udhcpc.log").write_text(proc.stdout + proc.stderr)
        if proc.returncode != 0 or not out.exists():
            raise LabError(f"laptop got no DHCP lease:\n{proc.stdout}{proc.stderr}")
        return out.read_text().strip()

    # ------------------------------------------------------------------ running things

    def _ns_for(self, where: str) -> str:
        if where == "laptop":
            return self.laptop_ns
        if where == "router":
            return self.router_ns
        if where == "provider":
            return self.provider_ns
        return self.device_ns(where)

    def run_in(
        self,
        where: str,
        argv: Sequence[str],
        *,
        user: str | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float = 60,
        input: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run a command to completion in ``laptop``/``router``/``provider``/a device."""
        cmd = list(argv)
        if user is not None:
            cmd = ["runuser", "-u", user, "--", *cmd]
        return subprocess.run(
            netns.in_ns(self._ns_for(where), cmd),
            env={**os.environ, **(env or {})},
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def run_in_laptop(
        self,
        argv: Sequence[str],
        *,
        user: str | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float = 60,
        input: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``argv`` on the laptop (its /etc/resolv.conf and /etc/hosts are the lab's)."""
        return self.run_in("laptop", argv, user=user, env=env, timeout=timeout, input=input)

    def spawn(self, where: str, argv: Sequence[str]) -> subprocess.Popen[bytes]:
        """Start a background process in a namespace; it is killed at teardown."""
        proc = subprocess.Popen(
            netns.in_ns(self._ns_for(where), argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self._spawned.append(proc)
        self._track(proc.pid)
        return proc

    def stop(self, proc: subprocess.Popen[bytes], timeout: float = 3) -> None:
        """Stop a process started with ``spawn``."""
        kill_pids([proc.pid], marker="", grace_s=timeout)
        proc.wait()

    # ------------------------------------------------------------------ faults

    def dns_down(self) -> None:
        """The provider's resolver stops answering (queries get port-unreachable)."""
        netns.nft(self.provider_ns, shaping.dns_block_ruleset())
        self._faults["dns_down"] = True

    def dns_up(self) -> None:
        netns.nft(self.provider_ns, shaping.delete_table("inet", shaping.DNS_FAULT_TABLE))
        self._faults.pop("dns_down", None)

    def igd_down(self) -> None:
        """The router's UPnP service vanishes (miniupnpd is stopped), the rest keeps working."""
        proc = self._procs.get("router-miniupnpd")
        if proc is not None and proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=5)
        self._faults["igd_down"] = True

    def router_down(self) -> None:
        """The router stops answering on the LAN (its LAN side goes dark)."""
        netns.ip_batch([f"link set {LAN_BRIDGE} down"], self.router_ns)
        self._faults["router_down"] = True

    def router_up(self) -> None:
        netns.ip_batch(
            [f"link set {LAN_BRIDGE} up", f"addr replace {self.router_ip}/"
             f"{self.spec.network.prefixlen} dev {LAN_BRIDGE}"],
            self.router_ns,
        )  # fmt: skip
        self._faults.pop("router_down", None)

    def wan_down(self) -> None:
        """The uplink loses carrier: the LAN works, nothing beyond the router answers."""
        netns.ip_batch([f"link set {ROUTER_WAN} down"], self.router_ns)
        self._faults["wan_down"] = True

    def wan_up(self) -> None:
        netns.ip_batch(
            [f"link set {ROUTER_WAN} up", f"route replace default via {addresses.WAN_PROVIDER}"],
            self.router_ns,
        )
        self._faults.pop("wan_down", None)

    def degrade_wan(self, **changes: Any) -> WanSpec:
        """Change WAN rate/loss/queue at run time (any ``WanSpec`` field); returns the new WAN."""
        wan = replace(self._wan, **changes)
        if wan.rtt_ms != self._wan.rtt_ms:
            if not self.delayed:
                raise ValueError("this home has no delay line: build it with WanSpec(rtt_ms=...)")
            (self.workdir / "wan-rtt-ms").write_text(f"{wan.rtt_ms}\n")
            time.sleep(0.3)  # the delay line re-reads it every 0.2 s
        self._apply_wan(wan)
        if not {"wan_down", "router_down"} & set(self._faults):
            # a reshaped link must carry traffic before anyone measures it
            self._wait_tcp(self.laptop_ns, addresses.INTERNET, 80, "the WAN after a change")
        if wan != self.spec.wan:
            self._faults["wan_degraded"] = asdict(wan)
        else:
            self._faults.pop("wan_degraded", None)
        return wan

    def restore_wan(self) -> None:
        self.degrade_wan(**asdict(self.spec.wan))

    def captive_portal_on(self) -> None:
        """A captive portal hijacks web traffic at the router (HTTP → login page)."""
        if "captive-portal" not in self._procs or self._procs["captive-portal"].poll() is not None:
            self._popen(
                "captive-portal",
                self.router_ns,
                [sys.executable, "-m", "homecare_lab.services", "portal", self.run_id,
                 "--bind", self.router_ip, "--port", str(addresses.PORTAL_PORT)],
            )  # fmt: skip
            self._wait_tcp(self.router_ns, self.router_ip, addresses.PORTAL_PORT, "portal")
        netns.nft(self.router_ns, shaping.captive_ruleset(self.router_ip))
        self._faults["captive_portal"] = True

    def captive_portal_off(self) -> None:
        netns.nft(self.router_ns, shaping.delete_table("ip", shaping.CAPTIVE_TABLE))
        proc = self._procs.pop("captive-portal", None)
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=5)
        self._faults.pop("captive_portal", None)

    def device_disappears(self, name: str) -> None:
        """A device drops off the LAN (unplugged / out of range)."""
        port = self.names.device_port(self._device_index(name))
        netns.ip_batch([f"link set {port} down"], self.router_ns)
        self._absent.add(name)

    def device_returns(self, name: str) -> None:
        port = self.names.device_port(self._device_index(name))
        netns.ip_batch([f"link set {port} up"], self.router_ns)
        self._absent.discard(name)

    # ------------------------------------------------------------------ ground truth

    def present_devices(self) -> list[DeviceSpec]:
        return [d for d in self.spec.devices if d.name not in self._absent]

    def ground_truth(self) -> dict[str, Any]:
        """What is really on this network, for tests and for people to compare against."""
        spec = self.spec
        start, end = spec.dhcp_range()
        return {
            "run_id": self.run_id,
            "namespaces": {
                "laptop": self.laptop_ns,
                "router": self.router_ns,
                "provider": self.provider_ns,
            },
            "lan": {
                "subnet": spec.lan.subnet,
                "router_ip": spec.router_ip,
                "router_mac": self.router_mac,
                "dhcp_range": [start, end],
                "domain": spec.lan.domain,
                "lease_file": str(self.lease_file),
            },
            "laptop": {
                "interface": HOST_IF,
                "ip": self.laptop_ip,
                "mac": self.laptop_mac,
                "dhcp": spec.laptop.dhcp,
                "hostname": spec.laptop.hostname,
            },
            "wan": asdict(self._wan),
            "provider": {
                "resolver": addresses.RESOLVER,
                "librespeed": f"http://{addresses.LIBRESPEED}/",
                "ookla": f"http://{addresses.OOKLA_SERVER_HOST}/speedtest/upload.php",
                "ndt7_locate": addresses.NDT7_LOCATE_URL,
                "nq_config": addresses.NQ_CONFIG_URL,
                "connectivity_check": addresses.CHECK_URL,
                "internet": addresses.INTERNET,
                "iperf": addresses.IPERF,
                "dns_names": dict(addresses.DNS_NAMES),
            },
            "devices": [self._device_truth(d) for d in spec.devices],
            "faults": dict(self._faults),
        }

    def _device_truth(self, d: DeviceSpec) -> dict[str, Any]:
        mac = d.mac or ""
        return {
            "name": d.name,
            "kind": d.kind,
            "vendor": d.vendor,
            "vendor_org": vendor_of_mac(mac),
            "mac": mac,
            "randomized_mac": is_locally_administered(mac),
            "ip": d.ip,
            "hostname": d.hostname,
            "friendly_name": d.display_name,
            "services": [
                {
                    "type": s.type,
                    "name": s.name or d.display_name,
                    "port": s.port,
                    "txt": dict(s.txt),
                }
                for s in d.services
            ],
            "ssdp": asdict(d.ssdp) if d.ssdp else None,
            "tcp_ports": sorted(set(d.tcp_ports) | ({d.ssdp.port} if d.ssdp else set())),
            "present": d.name not in self._absent,
        }

    def dhcp_leases(self) -> list[dict[str, str]]:
        """The router's lease file, parsed (expiry, mac, ip, hostname, client id)."""
        leases = []
        for line in self.lease_file.read_text().splitlines():
            parts = line.split()
            if len(parts) >= 4:
                leases.append(
                    {"expiry": parts[0], "mac": parts[1], "ip": parts[2], "hostname": parts[3]}
                )
        return leases


def clean_all_stale() -> list[str]:
    """Remove leftovers of dead runs (for scripts and CI)."""
    return clean_stale_runs()


__all__ = ["LabError", "VirtualHome", "clean_all_stale"]

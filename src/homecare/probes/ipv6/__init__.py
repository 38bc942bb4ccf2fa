"""IPv6: address, default route, reachability of a v6 target."""

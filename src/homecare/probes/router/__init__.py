"""Reading the router and the access line: UPnP IGD, TR-064, ubus, router mode."""

"""Wi-Fi diagnostics: what the link, the neighbours and (on a router) the clients look like."""

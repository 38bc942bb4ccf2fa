"""The host probe: this machine's own link, routes and resolvers."""

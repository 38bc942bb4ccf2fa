"""DNS: does a name resolve, through the system and through each resolver."""

"""The public face of each network, its public events, and the accessibility and privacy statements."""

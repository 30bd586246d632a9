"""Joining a network: registration, invitations, the manager's confirmation, the coordinator's decision."""

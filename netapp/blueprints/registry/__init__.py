"""The registry: networks, organisations, workplaces, persons, memberships; coverage; import and export."""

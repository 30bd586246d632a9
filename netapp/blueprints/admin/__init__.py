"""Administration: networks and their regions, organisations, workplaces, who coordinates which
network; and the first steps of a new installation."""

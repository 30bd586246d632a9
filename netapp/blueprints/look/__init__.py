"""A network's look: the logo and colour its coordinators choose for the header of its pages."""

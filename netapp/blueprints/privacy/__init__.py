"""Privacy: a person's own data, withdrawn consent, erasure and retention of persons who left."""

"""kehoach: schemas."""

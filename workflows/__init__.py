"""kehoach: workflows."""

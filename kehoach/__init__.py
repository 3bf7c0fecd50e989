"""kehoach: kehoach."""

"""kehoach: activities."""

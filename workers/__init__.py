"""kehoach: workers."""

"""The pure core: rules about plans that need no I/O, no clock and no network."""

"""Small widgets and delegates the windows are built from."""

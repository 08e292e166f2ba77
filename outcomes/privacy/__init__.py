"""Privacy primitives shared by the loaders and the privacy commands."""

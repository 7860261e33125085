"""The domain core: FPS rules over plain database connections. Never imports Flask."""

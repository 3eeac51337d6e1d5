"""The edge: Bolt listeners and aiohttp routes that translate, and Block Kit rendering."""

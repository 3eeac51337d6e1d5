"""Application services: the use cases, written against the ports in bot.ports."""

"""The test harness: the bot on a real port, the emulator, and people who talk to it."""

"""Block Kit rendering: domain objects in, Slack payloads out. No I/O."""

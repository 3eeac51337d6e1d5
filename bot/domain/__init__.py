"""The crisis domain: plain Python, no Slack, HTTP or SQL."""

"""Slack front end: a thin slack-bolt layer over the answering core."""

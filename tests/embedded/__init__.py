"""Tests of the embedded runtime: dev server, PostgreSQL, mailbox."""

"""Persistence: SQLModel tables, the async engine, repositories and migrations.

This package alone opens transactions and commits.
"""

"""Contracts: Pandera models for article rows and rejections, DuckDB DDL and its migrations."""

"""Prefect orchestration of the winnow engine. Thin: tasks wrap engine functions over batches."""

"""Running a batch: planning the books (batch), the manifest of what is current, executors (local worker
processes, a Dask cluster), per-book limits, progress and the report."""

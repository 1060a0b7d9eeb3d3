"""Running a batch's books: executors (local worker processes, a Dask cluster) and per-book limits."""

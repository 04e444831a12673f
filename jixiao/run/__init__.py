"""Running: `jixiao check` over files, parameters per town, the batch of notebooks (local or Dask), the warm-kernel engine, scoring against expected findings."""

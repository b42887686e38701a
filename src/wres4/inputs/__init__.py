"""Reading the extracts: sources from paths or in-memory tables, file checks, header roles,
and the delimited, Excel and Parquet readers."""

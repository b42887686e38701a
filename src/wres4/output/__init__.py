"""Rendering results: cell safety, atomic writes, text formats, terminal views, the
workbook and Parquet."""

"""The cited data tables and their schemas, installed as ``clonaedu.data_files`` (see clonaedu/data.py)."""

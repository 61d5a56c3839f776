"""The file store: safe reads and atomic writes, the record store, its index, the local fencing
counter, the repository config and the folder watcher.
"""

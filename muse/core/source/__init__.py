"""The working tree's code: parsing, the symbol index, address checks, the include/import/call
graph, the code-aware forecast pass and sharding.
"""

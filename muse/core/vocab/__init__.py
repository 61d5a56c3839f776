"""The words every part speaks: errors, the clock, record shapes, addresses, the coordination rules
and the verbs' result documents.
"""

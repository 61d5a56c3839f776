"""Coordination semantics over records: derived state, views, forecast, GC, and the Coordinator
interface every shell calls.
"""

"""MCP interface to Muse Coord (``muse mcp``). The SDK is imported by :mod:`muse.mcp.server` only."""

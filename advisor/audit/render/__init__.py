"""The audit's renderings: terminal table, markdown, HTML (with SVG charts), CSV and JSON.

present holds the words and numbers every rendering shares.
"""

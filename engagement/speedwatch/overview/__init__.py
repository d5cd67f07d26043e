"""The coordinator's Speed Watch overview: coming shifts, training running out, vehicles per site.

queries (one aggregate per part), chart (the server-drawn SVG), views.
"""

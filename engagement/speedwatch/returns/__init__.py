"""Speed Watch session returns: what a shift saw, for the force's letter process; kept for a limited time.

models (SessionReturn, Vehicle), plates (UK number plates), services (who may send, the checks,
repeats), queries, forms, views, exports (the CSV/XLSX contract), tasks (the retention purge).
"""

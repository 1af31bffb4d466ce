"""Relevance evaluation: a judged query set over the sample network, scored against a baseline.

``run_evaluation`` (run.py) answers every judged question (``index_config/judgments.yaml``,
read by judgments.py) with the project's search and "who", and with a plain ``multi_match``
on the same index, and reports nDCG@10, MRR and who top-3 accuracy (metrics.py).
corpus.py builds the sample network's Documents for a fresh evaluation index.
"""

"""Prefect 3 flows: orchestration only.

Every task calls a plain function of the core package (``shrinksearch.pipeline``,
``crawlers.runner``, ``shrinksearch.es``); the flows decide order, retries, caching,
concurrency and what each run reports. ``flows.deployments`` registers and serves them.
"""

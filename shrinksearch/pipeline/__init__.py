"""The pipeline's stages as plain functions: crawl output → clean → enrich → index.

Each stage streams one JSON Lines file into the next (or into Elasticsearch), so memory stays
flat whatever the corpus size, and a stage can be retried on its own. The Prefect flows in
``flows/`` only orchestrate these functions; the CLI can call them too.
"""

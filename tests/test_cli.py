"""The ``clonaedu`` command: the instructor answer key and the bank check."""

from __future__ import annotations

import csv
import html
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from clonaedu import cli, quiz

BANK = quiz.bank()


def test_answers_writes_every_question_to_an_html_file(tmp_path, capsys):
    out = tmp_path / "key.html"
    assert cli.main(["answers", "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<title>clonaedu: instructor answer key</title>" in page
    assert page.count('<div class="q" id="') == len(BANK)
    for q in BANK:
        assert f'id="{q.question_id}"' in page
        assert html.escape(q.explanation) in page
    assert f"wrote {out} ({len(BANK)} questions)" in capsys.readouterr().err
    assert cli.main(["answers", "--out", str(out)]) == 0, "writing again overwrites"


def test_answers_to_stdout_for_some_notebooks(capsys):
    assert cli.main(["answers", "--out", "-", "--notebook", "2", "10"]) == 0
    page = capsys.readouterr().out
    ids = [q.question_id for q in BANK if q.notebook in ("02", "10")]
    assert all(f'id="{qid}"' in page for qid in ids)
    assert page.count('<div class="q" id="') == len(ids)


def test_module_entry_point_runs(tmp_path, monkeypatch):
    """``python -m clonaedu.cli answers --out FILE`` (run in this process: a new interpreter
    costs seconds of imports; the console-script test below starts a real one)."""
    out = tmp_path / "key.html"
    monkeypatch.setattr(sys, "argv", ["python -m clonaedu.cli", "answers", "--out", str(out)])
    monkeypatch.delitem(sys.modules, "clonaedu.cli")  # as in a fresh `python -m` (no runpy warning)
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_module("clonaedu.cli", run_name="__main__", alter_sys=False)
    assert exit_info.value.code == 0
    assert out.read_text(encoding="utf-8").count('<div class="q" id="') == len(BANK)


def test_console_script_is_installed(tmp_path):
    script = shutil.which("clonaedu", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.skip("the clonaedu console script is not installed in this environment (pip install -e .)")
    out = tmp_path / "key.html"
    done = subprocess.run([script, "answers", "--out", str(out)], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8").count('<div class="q" id="') == len(BANK)
    bad = subprocess.run([script, "answers", "--out", str(out), "--notebook", "99"], capture_output=True,
                         text=True, timeout=300, check=False)
    assert bad.returncode == 2 and "unknown notebook '99'" in bad.stderr


@pytest.mark.parametrize("argv, message", [
    (["answers"], "the following arguments are required: --out"),
    (["answers", "--out", "key.html", "--notebook", "11"], "unknown notebook '11'; choose from 01"),
    (["answers", "--out", "key.html", "--notebook", "two"], "unknown notebook 'two'"),
    (["answers", "--out", "/no/such/folder/key.html"], "the folder '/no/such/folder' does not exist"),
    (["answers", "--out", "key.html", "--data", "/no/such/data"], "is not a data folder"),
    (["answers", "--out", "key.html", "--colour"], "unrecognized arguments: --colour"),
    (["quizzes"], "invalid choice: 'quizzes'"),
])
def test_bad_arguments_exit_2_with_a_clear_message(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_out_may_not_be_a_folder(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["answers", "--out", str(tmp_path)])
    assert exit_info.value.code == 2
    assert "is a folder" in capsys.readouterr().err


def test_no_command_prints_help_and_exits_2(capsys):
    assert cli.main([]) == 2
    assert "answers" in capsys.readouterr().err


def test_an_invalid_bank_exits_1_naming_row_and_column(data_copy, tmp_path, capsys):
    path = data_copy / "questions.csv"
    rows = list(csv.reader(path.open(newline="", encoding="utf-8")))
    rows[1][rows[0].index("answer")] = "40 mg/day"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    out = tmp_path / "key.html"
    assert cli.main(["answers", "--out", str(out), "--data", str(data_copy)]) == 1
    err = capsys.readouterr().err
    assert "the question bank is invalid" in err and "row 1 (line 2), column 'answer'" in err
    assert not out.exists()
    assert cli.main(["questions", "--data", str(data_copy)]) == 1


def test_questions_counts_per_notebook(capsys):
    assert cli.main(["questions"]) == 0
    out = capsys.readouterr().out
    for nb, n in BANK.counts().items():
        assert f"{nb} · {quiz.NOTEBOOK_TITLES[nb]}: {n}" in out
    assert out.rstrip().endswith(f"total: {len(BANK)}")


# -- hub-link: the course on a university JupyterHub (nbgitpuller) -------------------------------
def _query(link: str) -> dict:
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(link)
    return parts.scheme + "://" + parts.netloc + parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}


def test_hub_link_opens_a_notebook_through_nbgitpuller(capsys):
    assert cli.main(["hub-link", "--hub", "https://jupyter.example.edu/hub/", "--notebook", "2"]) == 0
    link = capsys.readouterr().out.strip()
    base, query = _query(link)
    assert base == "https://jupyter.example.edu/hub/user-redirect/git-pull"
    assert query == {"repo": cli.REPOSITORY, "branch": "main",
                     "urlpath": "lab/tree/clonaedu/notebooks/02_one_dose_over_time.ipynb"}
    assert "urlpath=lab%2Ftree%2Fclonaedu%2Fnotebooks%2F02_one_dose_over_time.ipynb" in link


def test_hub_link_defaults_to_the_start_page_and_can_open_the_app_view(capsys):
    assert cli.main(["hub-link", "--hub", "http://hub.local:8000", "--app", "--branch", "spring",
                     "--repo", "https://gitlab.example.edu/nursing/clonaedu-fork.git"]) == 0
    base, query = _query(capsys.readouterr().out.strip())
    assert base == "http://hub.local:8000/hub/user-redirect/git-pull"
    assert query["urlpath"] == "voila/render/clonaedu-fork/notebooks/00_start_here.ipynb"
    assert query["branch"] == "spring" and query["repo"].endswith("clonaedu-fork.git")


@pytest.mark.parametrize("argv, message", [
    (["hub-link", "--hub", "jupyter.example.edu"], "is not a hub address"),
    (["hub-link", "--hub", "ftp://jupyter.example.edu"], "is not a hub address"),
    (["hub-link", "--hub", "https://jupyter.example.edu/?next=x"], "is not a hub address"),
    (["hub-link", "--hub", "https://jupyter.example.edu", "--notebook", "42"], "unknown notebook '42'"),
    (["hub-link"], "the following arguments are required: --hub"),
])
def test_hub_link_refuses_bad_arguments(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 2 and message in capsys.readouterr().err


def test_the_repository_address_is_the_readmes():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert f"[repo]: {cli.REPOSITORY}\n" in readme

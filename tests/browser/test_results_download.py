"""The results receipt downloads in a real browser, in JupyterLab and in Voila, with no server
extension: answer a question, type a name, press Download my results, click the offered link,
and read the file the browser saved."""

from __future__ import annotations

import json

import pytest

from . import driver

NOTEBOOK = "notebooks/receipt_download_check.ipynb"
_SOURCE = (
    "from clonaedu import quiz\n"
    "score = quiz.ScoreSummary()\n"
    "display(quiz.question('q01-starting-daily-total', score=score), score)\n"
)


def _write_notebook(server_root):
    nb = {
        "cells": [{"cell_type": "code", "execution_count": None, "id": "receipt-check", "metadata": {},
                   "outputs": [], "source": _SOURCE}],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                     "language_info": {"name": "python"}},
        "nbformat": 4, "nbformat_minor": 5,
    }
    path = server_root / NOTEBOOK
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def _answer_and_download(page, tmp_path):
    page.get_by_placeholder("a number, in mg/day").fill("0.5")
    page.get_by_role("button", name="Check", exact=True).click()
    page.get_by_text("✔ Right.").wait_for()
    page.get_by_placeholder("your name").fill("Ada Lovelace")
    page.get_by_role("button", name="Download my results").click()
    links = page.locator(".clonaedu-receipt a[download]")
    links.first.wait_for()
    assert links.count() == 2
    saved = {}
    for i in range(2):
        with page.expect_download() as info:
            links.nth(i).click()
        download = info.value
        target = tmp_path / download.suggested_filename
        download.save_as(target)
        saved[target.suffix] = target
    assert set(saved) == {".json", ".html"}
    receipt = json.loads(saved[".json"].read_text(encoding="utf-8"))
    assert receipt["name"] == "Ada Lovelace" and receipt["self_reported"] is True
    [row] = receipt["questions"]
    assert row["question_id"] == "q01-starting-daily-total" and row["first_try_right"] and row["attempts"] == 1
    page_text = saved[".html"].read_text(encoding="utf-8")
    assert "Ada Lovelace" in page_text and "formative credit only" in page_text


@pytest.mark.slow
def test_receipt_downloads_in_jupyterlab(lab_server, lab_context, server_root, tmp_path):
    _write_notebook(server_root)
    page = lab_context.new_page()
    try:
        driver.open_in_lab(page, lab_server, NOTEBOOK, workspace="test-receipt")
        errors = driver.run_all_in_lab(page)
        assert not errors, errors
        _answer_and_download(page, tmp_path)
    finally:
        driver.stop_kernel(page, lab_server)
        page.close()


@pytest.mark.slow
def test_receipt_downloads_in_voila(voila_server, voila_context, server_root, tmp_path):
    _write_notebook(server_root)
    page = voila_context.new_page()
    try:
        page.goto(voila_server.url(f"/voila/render/{NOTEBOOK}"), wait_until="load", timeout=150_000)
        _answer_and_download(page, tmp_path)
    finally:
        driver.stop_kernel(page, voila_server)
        page.close()

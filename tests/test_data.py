"""The cited data layer: every table validates, every row cites a primary source,
and broken rows are refused with a message naming file, row and column."""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from clonaedu import data
from clonaedu.data import Dataset, DataError

ROOT = Path(__file__).resolve().parent.parent


def test_every_table_loads_and_cites_known_sources():
    names = data.table_names()
    assert {"sources", "dose_landmarks", "dosage_forms", "lay_claims", "lay_bands"} <= set(names)
    known = set(data.sources().index)
    for name in names:
        frame = data.table(name)
        assert len(frame) > 0, name
        schema = json.loads((ROOT / "data" / "schemas" / f"{name}.json").read_text(encoding="utf-8"))
        if schema.get("x-cited-by"):
            # a companion table of another (question_meta, question_feedback): its rows are joined
            # to rows of that table, whose source_id cites them
            parent = data.table(schema["x-cited-by"])
            assert "source_id" in parent.columns and "source_id" not in frame.columns, name
            assert set(frame.question_id) <= set(parent.question_id), name
        elif name != "sources":
            assert "source_id" in frame.columns, f"{name} has no source_id column"
            cited = {sid for value in frame.source_id
                     for sid in (value if isinstance(value, list) else [value])}
            assert cited <= known, name


def test_sources_are_primary():
    src = data.sources()
    assert src.index.is_unique
    labels = src[src.kind == "label"]
    assert (labels.identifier_type == "dailymed_setid").all()
    papers = src[src.kind == "paper"]
    assert papers.identifier_type.isin(["doi", "pmid", "publisher"]).all()
    mirrors = ("drugs.com", "medscape", "droracle", "scribd", "rxlist", "medlibrary", "wikipedia")
    for url in src.url.dropna():
        assert url.startswith("https://")
        assert not any(m in url for m in mirrors), url
    # The lay article is the one non-authoritative row, kept to be read critically.
    assert list(src.index[src.kind == "lay_article"]) == ["lay_article"]


def test_label_values_as_published():
    lm = data.table("dose_landmarks").set_index(["indication", "population", "landmark"])
    assert lm.loc[("panic_disorder", "adult", "initial"), "low"] == 0.5
    assert lm.loc[("panic_disorder", "adult", "target"), "low"] == 1
    assert lm.loc[("panic_disorder", "adult", "maximum"), "low"] == 4
    assert lm.loc[("seizure_disorders", "adult", "maximum"), "low"] == 20
    assert tuple(lm.loc[("seizure_disorders", "pediatric", "maintenance"), ["low", "high"]]) == (0.1, 0.2)
    forms = data.table("dosage_forms")
    tablets = forms[forms.form == "tablet"]
    assert sorted(tablets.strength_mg) == [0.5, 1, 2]
    assert tablets.set_index("strength_mg").scored.to_dict() == {0.5: True, 1: False, 2: False}
    assert sorted(forms[forms.form == "odt"].strength_mg) == [0.125, 0.25, 0.5, 1, 2]


def test_types_follow_the_schema():
    lm = data.table("dose_landmarks")
    assert lm.low.dtype == "float64" and lm.high.dtype == "float64"
    assert data.table("dosage_forms").scored.dtype == bool
    assert data.table("lay_claims").see_also.map(type).eq(list).all()
    assert pd.isna(data.table("lay_bands").set_index("band").loc["maximum", "high_mg_per_day"])


def test_table_returns_a_copy():
    frame = data.table("dosage_forms")
    frame.loc[0, "strength_mg"] = 99
    assert data.table("dosage_forms").loc[0, "strength_mg"] == 0.5


def test_cite_and_references():
    assert "DailyMed set id cfa0d79a-843c-4b88-95a1-e9511d649ca1" in data.cite("fda_klonopin_2023")
    assert "doi:10.1159/000069089" in data.cite("crevoisier2003")
    assert "PMID 9315990" in data.cite("rosenbaum1997")
    with pytest.raises(ValueError, match="unknown source_id 'nope'"):
        data.cite("nope")
    refs = data.references("beers2023", "fda_klonopin_2023", "beers2023")
    assert repr(refs).splitlines()[0].startswith("1. American Geriatrics Society")
    assert len(refs.lines) == 2
    assert refs._repr_markdown_().startswith("\n".join(refs.lines))
    assert refs.footer in repr(refs) and refs.footer in refs._repr_markdown_()
    with pytest.raises(ValueError, match="at least one"):
        data.references()


def test_unknown_table():
    with pytest.raises(ValueError, match="unknown table 'doses'.*dose_landmarks"):
        data.table("doses")


def _edit(path, old, new):
    text = path.read_text()
    assert old in text, f"fixture text {old!r} not found in {path.name}"
    path.write_text(text.replace(old, new, 1))


BROKEN = [
    # (file, old text, new text, expected message)
    ("dose_landmarks.csv", "maximum,4,4,mg/day,fda_klonopin_2023", "maximum,4,4,mg/day,",
     r"data/dose_landmarks.csv, row 8 \(line 9\), column 'source_id': is empty but a value is required"),
    ("dose_landmarks.csv", "maximum,4,4,mg/day,fda_klonopin_2023", "maximum,4,4,mg/day,drugs_com",
     r"dose_landmarks.csv, row 8 \(line 9\), column 'source_id': source_id 'drugs_com' is not in data/sources.csv"),
    ("dosage_forms.csv", "tablet,1,false", "tablet,-1,false",
     r"data/dosage_forms.csv, row 2 \(line 3\), column 'strength_mg': -1.0 is less than or equal to the minimum of 0"),
    ("dose_landmarks.csv", "target,1,1,mg/day", "target,1,1,mg/week",
     r"dose_landmarks.csv, row 5 \(line 6\), column 'unit': 'mg/week' is not one of"),
    ("dose_landmarks.csv", "target,1,1,mg/day", "target,one,1,mg/day",
     r"dose_landmarks.csv, row 5 \(line 6\), column 'low': 'one' is not a number"),
    ("dose_landmarks.csv", "target,1,1,mg/day", "target,2,1,mg/day",
     r"dose_landmarks.csv, row 5 \(line 6\), column 'high': 1.0 is below low \(2.0\)"),
    ("dose_landmarks.csv", "target,1,1,mg/day", "target,nan,1,mg/day",
     r"column 'low': 'nan' is not a finite number"),
    ("dosage_forms.csv", "tablet,0.5,true", "tablet,0.5,yes",
     r"dosage_forms.csv, row 1 \(line 2\), column 'scored': 'yes' is not true or false"),
    ("dosage_forms.csv", "odt,0.25,false", "odt,0.125,false",
     r"dosage_forms.csv, row 5 \(line 6\), column 'strength_mg': duplicate key \('odt', 0.125\) \(first in row 4\)"),
    ("dosage_forms.csv", "form,strength_mg,scored,source_id,verification", "form,strength,scored,source_id,verification",
     r"data/dosage_forms.csv: header does not match .*missing column\(s\) \['strength_mg'\]; unknown column\(s\) \['strength'\]"),
    ("dosage_forms.csv", "tablet,2,false,fda_klonopin_2023,", "tablet,2,false,",
     r"dosage_forms.csv, row 3 \(line 4\): has 4 cells, the header has 5"),
    ("sources.csv", "lay_article,lay_article", "lay_article,blog",
     r"data/sources.csv, row 19 \(line 20\), column 'kind': 'blog' is not one of"),
    ("lay_claims.csv", "rosenbaum1997;beers2023", "rosenbaum1997;webmd",
     r"lay_claims.csv, row 5 \(line 6\), column 'see_also': source_id 'webmd' is not in data/sources.csv"),
]


@pytest.mark.parametrize("filename, old, new, message", BROKEN, ids=[m[:40] for *_, m in BROKEN])
def test_broken_rows_are_refused_with_file_row_column(data_copy, filename, old, new, message):
    _edit(data_copy / filename, old, new)
    table = filename.removesuffix(".csv")
    with pytest.raises(DataError, match=message):
        Dataset(data_copy).table(table)


def test_a_broken_sources_file_breaks_every_citing_table(data_copy):
    _edit(data_copy / "sources.csv", "\nfda_klonopin_2023,", "\nfda_klonopin_2022,")
    with pytest.raises(DataError, match="source_id 'fda_klonopin_2023' is not in data/sources.csv"):
        Dataset(data_copy).table("dose_landmarks")


def test_missing_csv_for_a_schema(data_copy):
    (data_copy / "lay_bands.csv").unlink()
    with pytest.raises(DataError, match="data/lay_bands.csv: file is missing"):
        Dataset(data_copy).table("lay_bands")


def test_every_data_file_has_a_schema():
    csvs = {p.stem for p in (ROOT / "data").glob("*.csv") if not p.stem.startswith("_")}
    assert csvs == set(data.table_names())


@pytest.mark.slow
def test_a_regular_install_ships_the_data(tmp_path):
    """`pip install .` (not editable) must still find data/: build the wheel and import from it."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path), str(ROOT)],
                   check=True)
    (wheel,) = tmp_path.glob("clonaedu-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "clonaedu/data_files/sources.csv" in names
    assert "clonaedu/data_files/schemas/sources.json" in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = "from clonaedu import data; print(data.default_dataset().root); print(len(data.table('dose_landmarks')))"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env={"PYTHONPATH": str(site)},
                         capture_output=True, text=True, check=True).stdout.split()
    assert out[0].startswith(str(site)), out
    assert int(out[1]) == len(data.table("dose_landmarks"))

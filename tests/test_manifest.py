"""Every point of spec/manifest.md, proved through the reader and the checker."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import check, manifest
from mineralcheck.manifest.reader import read_manifest
from mineralcheck.minerals import Vocabulary
from mineralcheck.pipeline import Checker
from mineralcheck.results import Finding, ManifestResult, Severity

VOCAB = Vocabulary.with_elements()
VOCAB.add("graphite", ["natural graphite"])


def read(text: str):  # type: ignore[no-untyped-def]
    return read_manifest(text.encode(), VOCAB)


def only_error(result: ManifestResult) -> Finding:
    errors = [f for f in result.findings if f.severity is Severity.ERROR]
    assert len(errors) == 1, result.findings
    return errors[0]


def item(extra: str, base: str = "  - description: Gallium metal\n    quantity: 10 kg\n") -> str:
    return base + extra


# --- countries -------------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["NO", "no", "No", "NOR", "Norway", "norway"])
def test_norway_is_a_country_never_a_boolean(written: str) -> None:
    result = read(manifest(consignee=written))
    assert result.manifest is not None
    assert result.manifest.consignee.country == "NO"


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("DE", "DE"),
        ("deu", "DE"),
        ("Germany", "DE"),
        ("United States", "US"),
        ("USA", "US"),
        ("United States of America", "US"),
        ("gb", "GB"),
        ("Korea, Republic of", "KR"),
        # common names from countryinfo's alternative spellings, not a table typed here
        ("UK", "GB"),
        ("Great Britain", "GB"),
        ("Republic of Korea", "KR"),
        ("South Korea", "KR"),
        ("DR Congo", "CD"),
    ],
)
def test_country_codes_and_names_normalise_to_alpha2(written: str, code: str) -> None:
    result = read(manifest(consignee=written))
    assert result.manifest is not None and result.manifest.consignee.country == code


def test_unknown_country_is_an_error_naming_value_and_place(test_checker: Checker) -> None:
    error = only_error(check(test_checker, manifest(consignee="Atlantis")))
    assert "'Atlantis'" in error.message
    assert (error.line, error.column, error.field) == (8, 12, "consignee.country")


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["2025-04-01", "'2025-04-01'", '"2025-04-01"'])
def test_dates_quoted_or_not(written: str) -> None:
    result = read(manifest(ship_date=written))
    assert result.manifest is not None and str(result.manifest.ship_date) == "2025-04-01"


@pytest.mark.parametrize("written", ["2025-02-30", "2025-13-01", "2025-4-1", "01/04/2025", "2025"])
def test_impossible_or_malformed_dates_are_errors(test_checker: Checker, written: str) -> None:
    error = only_error(check(test_checker, manifest(ship_date=written)))
    assert error.field == "ship_date" and error.line == 2


# --- hs codes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("0710", "0710"),
        ('"0710"', "0710"),
        ("2846.90.19.93", "2846901993"),
        ("2846 90 19 93", "2846901993"),
        ("2846901993", "2846901993"),
    ],
)
def test_hs_code_keeps_leading_zeros_and_drops_dots(written: str, code: str) -> None:
    result = read(manifest(items=item(f"    hs_code: {written}\n")))
    assert result.manifest is not None and result.manifest.items[0].hs_code == code


@pytest.mark.parametrize("written", ["071", "28469019931", "28A6", "0x10", "-710"])
def test_bad_hs_codes_are_errors(test_checker: Checker, written: str) -> None:
    error = only_error(check(test_checker, manifest(items=item(f"    hs_code: {written}\n"))))
    assert error.field == "items[0].hs_code"


# --- minerals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "names"),
    [
        ("Dy", ("dysprosium",)),
        ("dysprosium", ("dysprosium",)),
        ("DYSPROSIUM", ("dysprosium",)),
        ("[Nd, Fe, B, Dy]", ("neodymium", "iron", "boron", "dysprosium")),
        ("natural graphite", ("graphite",)),
        ("aluminium", ("aluminum",)),
    ],
)
def test_minerals_by_name_symbol_or_pack_name(written: str, names: tuple[str, ...]) -> None:
    result = read(manifest(items=item(f"    mineral: {written}\n")))
    assert result.manifest is not None and result.manifest.items[0].mineral == names


def test_unknown_mineral_is_an_error(test_checker: Checker) -> None:
    error = only_error(check(test_checker, manifest(items=item("    mineral: dysprosim\n"))))
    assert "'dysprosim'" in error.message and error.field == "items[0].mineral"


def test_item_without_hs_code_or_mineral_cannot_be_classified(test_checker: Checker) -> None:
    error = only_error(check(test_checker, manifest(items=item(""))))
    assert "cannot be classified" in error.message
    assert (error.line, error.field) == (10, "items[0]")


# --- purity ----------------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["99.99%", "99.99 %", "99.99", "'99.99 %'"])
def test_purity_forms(written: str) -> None:
    result = read(manifest(items=item(f"    mineral: gallium\n    purity: {written}\n")))
    assert result.manifest is not None
    assert result.manifest.items[0].purity == Decimal("99.99")


@pytest.mark.parametrize("written", ["0", "0%", "100.01", "abc", "-5%", "99,9%"])
def test_purity_out_of_range_or_malformed(test_checker: Checker, written: str) -> None:
    text = manifest(items=item(f"    mineral: gallium\n    purity: {written}\n"))
    assert only_error(check(test_checker, text)).field == "items[0].purity"


# --- quantities and values -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "kg"),
    [
        ("500 kg", "500"),
        ("0.5 t", "500.0"),
        ("1200 g", "1.200"),
        ("250000 mg", "0.250000"),
        ("100 lb", "45.35923700"),
        ("{value: 2, unit: t}", "2000"),
        ("{value: '1.5', unit: kg}", "1.5"),
    ],
)
def test_quantities_convert_exactly_to_kg(written: str, kg: str) -> None:
    text = manifest(items=f"  - description: x\n    mineral: gallium\n    quantity: {written}\n")
    result = read(text)
    assert result.manifest is not None
    assert result.manifest.items[0].quantity.in_kg() == Decimal(kg)


def test_pounds_are_exact_not_binary_floats() -> None:
    text = manifest(items="  - description: x\n    mineral: gallium\n    quantity: 0.1 lb\n")
    result = read(text)
    assert result.manifest is not None
    assert result.manifest.items[0].quantity.in_kg() == Decimal("0.045359237")


@pytest.mark.parametrize(
    "written",
    [
        "500",
        "500 tons",
        "-5 kg",
        "0 kg",
        "1_000 kg",
        "1e3 kg",
        "five kg",
        "{value: 5}",
        "{value: 5, unit: kg, extra: 1}",
        "[5, kg]",
    ],
)
def test_bad_quantities_are_errors(test_checker: Checker, written: str) -> None:
    text = manifest(items=f"  - description: x\n    mineral: gallium\n    quantity: {written}\n")
    error = only_error(check(test_checker, text))
    assert error.field is not None and error.field.startswith("items[0].quantity")
    assert error.line == 12


@pytest.mark.parametrize("written", ["125000 USD", "{amount: 0, currency: eur}", "99.5 CNY"])
def test_values(written: str) -> None:
    assert read(manifest(items=item(f"    mineral: gallium\n    value: {written}\n"))).manifest


@pytest.mark.parametrize("written", ["125000 XYZ", "-1 USD", "USD 100", "100"])
def test_bad_values(test_checker: Checker, written: str) -> None:
    text = manifest(items=item(f"    mineral: gallium\n    value: {written}\n"))
    result = check(test_checker, text)
    assert result.verdict is Severity.ERROR
    assert all(str(f.field).startswith("items[0].value") for f in result.findings)


# --- keys, lines, permits --------------------------------------------------------------------


def test_unknown_key_at_top_level_is_an_error_at_the_key(test_checker: Checker) -> None:
    text = manifest(end_user="end_usr:\n  name: Army\n  country: DE\n  military: true\n")
    error = only_error(check(test_checker, text))
    assert error.message == "unknown key 'end_usr'; did you mean 'end_user'?"
    assert (error.line, error.column, error.field) == (9, 1, "end_usr")


def test_unknown_key_in_an_item_is_an_error(test_checker: Checker) -> None:
    error = only_error(
        check(test_checker, manifest(items=item("    mineral: gallium\n    qty: 5\n")))
    )
    assert error.message == "unknown key 'qty'" and error.field == "items[0].qty"
    assert (error.line, error.column) == (13, 5)


def test_keys_are_case_sensitive(test_checker: Checker) -> None:
    text = manifest().replace("ship_date", "Ship_Date")
    codes = {f.code for f in check(test_checker, text).findings}
    assert codes == {"unknown-key", "missing-key"}


def test_missing_required_key_is_an_error(test_checker: Checker) -> None:
    text = manifest().replace("  name: Example Consignee GmbH\n", "")
    error = only_error(check(test_checker, text))
    assert error.message == "missing required key 'name'" and error.field == "consignee.name"
    assert error.line == 7


@pytest.mark.parametrize("written", ["true", "yes", "no", "1"])
def test_military_is_true_or_false_only(written: str) -> None:
    text = manifest(end_user=f"end_user:\n  name: X\n  country: DE\n  military: {written}\n")
    result = read(text)
    if written == "true":
        assert result.manifest is not None and result.manifest.final_end_user.military
    else:
        assert result.manifest is None and result.errors[0].field == "end_user.military"


def test_line_numbers_default_to_position_and_must_be_unique(test_checker: Checker) -> None:
    two = item("    mineral: gallium\n") + item("    mineral: gallium\n    line: 1\n")
    error = only_error(check(test_checker, manifest(items=two)))
    assert "line number 1" in error.message and error.field == "items[1].line"


@pytest.mark.parametrize("written", ["0", "-1", "01", "1.5", "x"])
def test_line_must_be_a_positive_integer(test_checker: Checker, written: str) -> None:
    text = manifest(items=item(f"    mineral: gallium\n    line: {written}\n"))
    assert only_error(check(test_checker, text)).field == "items[0].line"


def test_permit_numbers_must_be_unique(test_checker: Checker) -> None:
    from conftest import permit

    error = only_error(check(test_checker, manifest(permits=permit() + permit())))
    assert "'P-1'" in error.message and error.field == "permits[1].number"


def test_permit_dates_must_be_in_order(test_checker: Checker) -> None:
    from conftest import permit

    text = manifest(permits=permit(valid_from="2025-06-01", valid_until="2025-05-01"))
    assert "after valid_until" in only_error(check(test_checker, text)).message


def test_item_naming_an_undefined_permit_is_an_error(test_checker: Checker) -> None:
    text = manifest(items=item("    mineral: gallium\n    permits: [NOPE-1]\n"))
    result = check(test_checker, text)
    assert result.verdict is Severity.ERROR
    error = only_error(result)
    assert error.code == "undefined-permit" and error.field == "items[0].permits[0]"
    assert error.item == 1 and error.line == 13


def test_permit_destination_may_be_a_list(test_checker: Checker) -> None:
    from conftest import permit

    result = read(manifest(permits=permit(destination="[DE, Norway]")))
    assert result.manifest is not None
    assert result.manifest.permits[0].destination == ("DE", "NO")


def test_default_end_user_and_destination() -> None:
    result = read(manifest(consignee="FR"))
    assert result.manifest is not None
    assert result.manifest.final_end_user.country == "FR"
    assert result.manifest.final_destination == "FR"


@pytest.mark.parametrize(
    "text",
    ["", "just a string\n", "- a list\n", "null\n"],
)
def test_a_manifest_must_be_a_mapping(test_checker: Checker, text: str) -> None:
    error = only_error(check(test_checker, text))
    assert error.line == 1 and error.column == 1


def test_json_manifest_is_accepted(test_checker: Checker) -> None:
    text = (
        '{"id": "J-1", "ship_date": "2025-04-01",\n'
        ' "exporter": {"name": "E", "country": "CN"},\n'
        ' "consignee": {"name": "C", "country": "NO"},\n'
        ' "items": [{"description": "Bi", "mineral": "bismuth", "quantity": "5 kg",\n'
        '            "hs_code": 8106}]}\n'
    )
    result = read(text)
    assert result.manifest is not None
    assert result.manifest.consignee.country == "NO"
    result = check(test_checker, text)
    assert result.verdict is Severity.FAIL
    assert [f.rule for f in result.findings] == ["test-measure/bismuth-outside-eu"]
    assert result.findings[0].line == 4


def test_duplicate_key_in_a_manifest_is_an_error_at_its_line(test_checker: Checker) -> None:
    text = manifest().replace(
        "ship_date: 2025-04-01\n", "ship_date: 2025-04-01\nship_date: 2025-04-02\n"
    )
    error = only_error(check(test_checker, text))
    assert error.code == "yaml" and "duplicate key 'ship_date'" in error.message
    assert (error.line, error.column) == (3, 1)


def test_python_tag_in_a_manifest_is_an_error_and_runs_nothing(test_checker: Checker) -> None:
    text = manifest().replace("id: T-1", "id: !!python/object/apply:os.system ['false']")
    error = only_error(check(test_checker, text))
    assert "not allowed" in error.message and error.line == 1


def test_typos_get_a_suggestion_and_a_split_name_a_hint(test_checker: Checker) -> None:
    text = (
        "id: T-1\nship_date: 2025-04-01\n"
        "exporter: {name: Zhuzhou Example Co., Ltd., country: CN}\n"
        "consignee:\n  name: X GmbH\n  country: DE\nend_usr:\n  name: Y\n  country: DE\n"
        "items:\n  - description: W\n    mineral: tungstan\n    quantty: 1 kg\n"
    )
    messages = [f.message for f in test_checker.check_bytes("m.yaml", text.encode()).findings]
    assert any("'Ltd.'" in m and "quote the name" in m for m in messages), messages
    assert any("'end_usr'; did you mean 'end_user'?" in m for m in messages)
    assert any("'quantty'; did you mean 'quantity'?" in m for m in messages)
    assert any("'tungstan'" in m and "did you mean 'tungsten'?" in m for m in messages)


def test_a_misspelt_country_gets_a_suggestion_and_is_never_guessed(test_checker: Checker) -> None:
    text = (
        "id: T-1\nship_date: 2025-04-01\nexporter: {name: X, country: CN}\n"
        "consignee: {name: Y, country: Germny}\nitems:\n"
        "  - description: Ga\n    mineral: gallium\n    quantity: 1 kg\n"
    )
    result = test_checker.check_bytes("m.yaml", text.encode())
    assert str(result.verdict) == "error"
    assert "did you mean 'germany' (DE)?" in result.findings[0].message


def test_korea_alone_is_never_guessed_as_one_of_the_two() -> None:
    result = read(manifest(consignee="Korea"))
    assert result.manifest is None
    (error,) = result.errors
    assert "unknown country 'Korea'" in error.message and error.field == "consignee.country"


def test_a_spelling_two_countries_share_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from mineralcheck import countries

    shared = {"the congo": frozenset({"CD", "CG"})}
    monkeypatch.setattr(countries, "_aliases", lambda: shared)
    result = read(manifest(consignee="The Congo"))
    assert result.manifest is None
    (error,) = result.errors
    assert "ambiguous country 'The Congo': it can mean CD or CG" in error.message


def test_alias_never_overrides_an_iso_code() -> None:
    # "NE" is Niger's ISO code, whatever spelling lists might give it
    result = read(manifest(consignee="NE"))
    assert result.manifest is not None and result.manifest.consignee.country == "NE"


@pytest.mark.parametrize("standard", ["3166-1", "4217"])
def test_iso_data_read_from_pycountrys_files_is_pycountrys(standard: str) -> None:
    """Countries and currencies are read from pycountry's data files without importing it (its
    import scans the installed distributions for its version); the entries are exactly those
    pycountry's own objects hold, so an update that changes its files is noticed here."""
    from mineralcheck.countries import iso_records, pycountry_records

    assert iso_records(standard) == pycountry_records(standard)
    assert len(iso_records(standard)) > 150


def test_iso_data_falls_back_to_pycountry_when_its_files_move(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib.util

    from mineralcheck import countries

    through_pycountry = [{"alpha_3": "ZZZ", "name": "through pycountry"}]
    monkeypatch.setattr(countries, "pycountry_records", lambda standard: through_pycountry)
    assert countries.iso_records("4217") != through_pycountry  # the file is where it should be
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert countries.iso_records("4217") == through_pycountry


def test_a_currency_outside_iso_4217_is_refused(test_checker: Checker) -> None:
    text = manifest(
        "  - description: Gallium metal\n    mineral: gallium\n    quantity: 10 kg\n"
        "    value: 100 XYZ\n"
    )
    result = check(test_checker, text)
    assert result.verdict is Severity.ERROR
    assert any("'XYZ' is not an ISO 4217 currency code" in f.message for f in result.findings)
    fine = check(test_checker, text.replace("XYZ", "eur"))
    assert fine.verdict is not Severity.ERROR

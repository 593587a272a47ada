"""Times a lawyer can rely on: a wall-clock time that daylight saving made ambiguous or
skipped is refused unless an offset says which instant was meant, and export date bounds
are whole days in the business time zone."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest


def test_a_skipped_or_repeated_local_time_is_refused_with_its_reason() -> None:
    from app.errors import InvalidInput
    from app.records.times import parse_when

    with pytest.raises(InvalidInput, match=r"2026-03-08 02:30 does not exist in America/New_York.*forward"):
        parse_when("2026-03-08 02:30", zone_name="America/New_York")
    with pytest.raises(InvalidInput, match=r"happened twice.*01:30-04:00 \(the first\) or .*01:30-05:00"):
        parse_when("2026-11-01T01:30", zone_name="America/New_York")
    # With an offset, each is one instant; the hours around the changes are fine.
    first, _ = parse_when("2026-11-01T01:30-04:00", zone_name="America/New_York")
    second, _ = parse_when("2026-11-01T01:30-05:00", zone_name="America/New_York")
    assert second - first == timedelta(hours=1)
    assert parse_when("2026-03-08 03:30", zone_name="America/New_York")[0].utcoffset() == timedelta(hours=-4)


def test_casefile_log_refuses_an_ambiguous_time_and_writes_nothing(cli) -> None:  # type: ignore[no-untyped-def]
    cli.ok("init")
    cli.ok("client", "add", "Gerald Whitmore")
    failed = cli(
        "log", "Gerald", "--kind", "call", "--title", "Call", "--when", "2026-11-01 01:30", "--tz", "America/New_York"
    )
    assert failed.code != 0 and len(failed.err.strip().splitlines()) == 1
    assert "happened twice in America/New_York" in failed.err
    assert cli.ok("verify").code == 0
    logged = cli.ok(
        "log", "Gerald", "--kind", "call", "--title", "Call", "--when", "2026-11-01T01:30-05:00", "--json"
    ).json()
    assert logged["id"]


def test_export_date_bounds_are_whole_days_in_the_business_zone(vault, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from app.cli.export_cmds import _bound, _business_zone_name

    vault.settings.set("display_timezone", "Asia/Tokyo")
    zone = _business_zone_name(vault)
    assert zone == "Asia/Tokyo"
    start, end = _bound("2026-03-08", end=False, zone_name=zone), _bound("2026-03-08", end=True, zone_name=zone)
    assert start == datetime(2026, 3, 8, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert end is not None and end.astimezone(ZoneInfo("UTC")).hour == 14  # 23:59:59.999 in Tokyo


def test_entry_pages_give_times_in_the_business_zone_with_the_entrys_own_offset(vault, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC

    from app.dossier.export import export_dossier
    from app.dossier.select import DossierOptions
    from app.records.models import EntryFields
    from tests.helpers.bundles import pdf_pages_text

    vault.settings.set("display_timezone", "America/Chicago")
    client = vault.clients.add("Gerald Whitmore")
    vault.entries.log(client.id, EntryFields("call", datetime(2026, 9, 1, 10, 0, tzinfo=UTC), "Call from a trip abroad"))
    result = export_dossier(vault, DossierOptions(client.id, bates_prefix="BT"), tmp_path / "out")
    pages = pdf_pages_text(result.pdf_path)
    entry_page = next(p for p in pages if "Occurred" in p and "Entries in full" in p)
    chronology = next(p for p in pages if "One row per entry" in p)
    # the chronology, the entry's heading and its facts all say 05:00 in Chicago (CDT); the entry keeps its own
    assert "2026-09-01 05:00 -05:00" in chronology
    assert "1. 2026-09-01 05:00 -05:00 · Call" in entry_page
    assert "2026-09-01 05:00 -05:00 (own: 2026-09-01 10:00 +00:00" in " ".join(entry_page.split())
    assert "10:00 +00:00 · Call" not in entry_page
    assert vault.verify().ok


def test_the_exhibit_index_gives_acquired_times_in_the_business_zone_and_counts_in_words(vault, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC

    from app.dossier.export import export_dossier
    from app.dossier.select import DossierOptions
    from app.records.models import EntryFields
    from tests.helpers.bundles import pdf_pages_text

    vault.settings.set("display_timezone", "America/Chicago")
    client = vault.clients.add("Gerald Whitmore")
    entry = vault.entries.log(client.id, EntryFields("note", datetime(2026, 9, 1, 10, 0, tzinfo=UTC), "Site visit"))
    (tmp_path / "notes.txt").write_text("The tile was cracked before we started.\n")
    attached = vault.attachments.add_file(entry.id, tmp_path / "notes.txt")
    result = export_dossier(vault, DossierOptions(client.id, bates_prefix="BT"), tmp_path / "out")
    index = " ".join(next(p for p in pdf_pages_text(result.pdf_path) if "Acquired and times" in p).split())
    acquired = attached.added_at.astimezone(ZoneInfo("America/Chicago"))
    assert f"Acquired: {acquired:%Y-%m-%d %H:%M}" in index, index  # Chicago time (its offset follows the column's wrap)
    assert " UTC," not in index and "page(s)" not in index
    assert "1 page" in index and "1 pages" not in index
    # the cover's "Date prepared" and every page's header are in the business zone too
    cover = " ".join(pdf_pages_text(result.pdf_path)[0].split())
    offset = datetime.now(ZoneInfo("America/Chicago")).strftime("%z")
    assert f"Date prepared {datetime.now(ZoneInfo('America/Chicago')):%Y-%m-%d} " in cover
    assert f"{offset[:3]}:{offset[3:]} Bates range" in cover, cover
    assert vault.verify().ok

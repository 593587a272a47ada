"""The demo reads like a real matter: entries saved minutes after their events on a story
clock, status changes at their story dates, exhibits that say what the entries say."""

from __future__ import annotations

from datetime import timedelta
from email import policy
from email.parser import BytesParser


def test_the_demo_is_recorded_at_plausible_times_and_verifies(demo_vault) -> None:  # type: ignore[no-untyped-def]
    vault = demo_vault
    assert vault.verify().ok
    events = vault.events()
    assert not [e for e in events if e.action.startswith("clock.")]  # the story clock never jumped or went back
    assert [e.at for e in events] == sorted(e.at for e in events)
    for client in vault.clients.list():
        for entry_id in vault.entries.timeline_ids(client.id):
            entry = vault.entries.get(entry_id)
            lag = entry.recorded_at - entry.occurred_at
            assert timedelta(0) < lag < timedelta(hours=4), (entry.title, lag)
    whitmore = next(c for c in vault.clients.list() if c.name == "Gerald Whitmore")
    changes = {c.status: c.changed_at for c in vault.clients.status_history(whitmore.id)}
    assert changes["watch"].date().isoformat() == "2026-09-03"
    assert changes["parting_ways"].date().isoformat() == "2026-09-22"


def test_the_exhibits_support_their_entries(demo_vault) -> None:  # type: ignore[no-untyped-def]
    from PIL import Image

    vault = demo_vault
    whitmore = next(c for c in vault.clients.list() if c.name == "Gerald Whitmore")
    by_title = {vault.entries.get(i).title: i for i in vault.entries.timeline_ids(whitmore.id)}

    def files(title: str) -> list[tuple[str, bytes]]:
        return [(a.name, vault.attachments.read_bytes(a.sha256)) for a in vault.attachments.for_entry(by_title[title])]

    [(_name, threat)] = files("Email stating he will sue for $30,000")
    body = BytesParser(policy=policy.default).parsebytes(threat).get_body().get_content()  # type: ignore[union-attr]
    assert "my lawyer will sue you for the full contract price plus damages" in body
    [(_name, letter)] = files("Letter ending the engagement")
    assert (
        "end our engagement under clause 12"
        in BytesParser(policy=policy.default).parsebytes(letter).get_body().get_content()
    )  # type: ignore[union-attr]
    photos = files("Complaint about a cracked backsplash tile")
    for name, data in photos:
        assert name.endswith(".jpg")
        import io

        image = Image.open(io.BytesIO(data))
        assert image.format == "JPEG" and image.size == (1024, 768)
        # a photo, not a flat field or noise: a wide tonal range and a smooth histogram
        extrema = image.convert("L").getextrema()
        assert extrema[1] - extrema[0] > 120

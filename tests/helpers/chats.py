"""Phone-message exports built in the test (and in bench/): SMS Backup & Restore XML,
WhatsApp .txt/.zip in several locales, and a chat.db in Apple's schema (the subset
Casefile reads)."""

from __future__ import annotations

import base64
import io
import sqlite3
import zipfile
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import quoteattr

APPLE_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)


def tiny_jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 60, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def surrogate_escaped(text: str) -> str:
    """Characters beyond U+FFFF written as SMS Backup & Restore does: two &#…; references."""
    out = []
    for ch in text:
        code = ord(ch)
        if code > 0xFFFF:
            code -= 0x10000
            out.append(f"&#{0xD800 + (code >> 10)};&#{0xDC00 + (code & 0x3FF)};")
        else:
            out.append(quoteattr(ch)[1:-1])
    return "".join(out)


def sms_line(address: str, ms: int, kind: int, body: str, contact: str = "Gerald") -> str:
    return (
        f'  <sms protocol="0" address="{address}" date="{ms}" type="{kind}" subject="null" '
        f'body="{surrogate_escaped(body)}" toa="null" sc_toa="null" service_center="null" read="1" '
        f'status="-1" locked="0" date_sent="{ms}" readable_date="x" contact_name="{contact}" />\n'
    )


def mms_block(address: str, ms: int, box: int, text: str, image: bytes | None, contact: str = "Gerald") -> str:
    parts = '<part seq="-1" ct="application/smil" name="null" chset="null" cl="smil.xml" text="&lt;smil/&gt;" />'
    parts += f'<part seq="0" ct="text/plain" name="null" chset="106" cl="txt000.txt" text={quoteattr(text)} />'
    if image is not None:
        parts += (
            f'<part seq="0" ct="image/jpeg" name="IMG_0042.jpg" chset="null" cl="IMG_0042.jpg" text="null" '
            f'data="{base64.b64encode(image).decode()}" />'
        )
    sender_type = "137" if box == 1 else "151"
    return (
        f'  <mms date="{ms}" msg_box="{box}" address="{address}" contact_name="{contact}" m_type="132" '
        f'read="1" text_only="0"><parts>{parts}</parts>'
        f'<addrs><addr address="{address}" type="{sender_type}" charset="106" /></addrs></mms>\n'
    )


def sms_backup(messages: Iterable[str], count: int = 0) -> bytes:
    body = "".join(messages)
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n"
        f'<smses count="{count}" backup_set="x" backup_date="1700000000000" type="full">\n{body}</smses>\n'
    ).encode()


def write_sms_stream(path: Path, n: int, address: str = "+1 (555) 010-7788") -> None:
    """n SMS to and from one number (plus a second conversation), written without holding them."""
    start = 1_700_000_000_000
    with path.open("w", encoding="utf-8") as out:
        out.write(f"<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count=\"{n}\">\n")
        for i in range(n):
            who = address if i % 10 else "+1 555 999 0000"
            out.write(sms_line(who, start + i * 61_000, 1 + i % 2, f"message {i} about the invoice 😀"))
        out.write("</smses>\n")


# WhatsApp: (name, line format). {d}{m}{y}{Y}{H}{I}{M}{S}{p} fill from the time.
LOCALES = {
    "android_us": "{m}/{d}/{y}, {I}:{M}\u202f{p} - {who}: {text}",
    "android_uk": "{dd}/{mm}/{Y}, {HH}:{M} - {who}: {text}",
    "android_de": "{dd}.{mm}.{y}, {HH}:{M} - {who}: {text}",
    "ios_uk": "[{dd}/{mm}/{Y}, {HH}:{M}:{S}] {who}: {text}",
    "ios_us": "[{m}/{d}/{y}, {I}:{M}:{S}\u202f{p}] {who}: {text}",
}


def wa_line(locale: str, when: datetime, who: str, text: str) -> str:
    fmt = LOCALES[locale]
    hour12 = when.hour % 12 or 12
    line = fmt.format(
        d=when.day,
        m=when.month,
        dd=f"{when.day:02}",
        mm=f"{when.month:02}",
        y=f"{when.year % 100:02}",
        Y=when.year,
        HH=f"{when.hour:02}",
        I=hour12,
        M=f"{when.minute:02}",
        S=f"{when.second:02}",
        p="AM" if when.hour < 12 else "PM",
        who=who,
        text=text,
    )
    if who == "":  # a system line has no "name: "
        line = line.replace(": ", "", 1) if locale.startswith("ios") else line.replace(" - : ", " - ")
    return line


def whatsapp_chat(locale: str, start: datetime, client: str = "Gerald Whitmore", me: str = "Sam") -> str:
    """A short chat: a system line, both sides, a multi-line message, an emoji, a voice note and a photo."""
    t = start
    media_line = (
        "\u200e<attached: 00000003-PHOTO-2026-03-13-09-05-00.jpg>"
        if locale.startswith("ios")
        else ("IMG-20260313-WA0001.jpg (file attached)")
    )
    voice_line = (
        "\u200e<attached: 00000004-AUDIO-2026-03-13-09-06-00.opus>"
        if locale.startswith("ios")
        else ("PTT-20260313-WA0002.opus (file attached)")
    )
    lines = [
        wa_line(
            locale, t, "", "Messages and calls are end-to-end encrypted. No one outside of this chat can read them."
        ),
        wa_line(locale, t + timedelta(minutes=1), client, "The tiles are cracked again. I want a refund"),
        wa_line(locale, t + timedelta(minutes=2), me, "I can come on Thursday to look at them."),
        wa_line(locale, t + timedelta(minutes=3), client, "Thursday is too late.\nI will call my lawyer 😡"),
        wa_line(locale, t + timedelta(minutes=5), client, media_line),
        wa_line(locale, t + timedelta(minutes=6), client, voice_line),
        wa_line(locale, t + timedelta(days=1, hours=2), me, "Here is the invoice, as discussed."),
    ]
    return "\n".join(lines) + "\n"


def whatsapp_zip(chat_text: str, ios: bool, media: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("_chat.txt" if ios else "WhatsApp Chat with Gerald Whitmore.txt", chat_text)
        if media:
            photo = "00000003-PHOTO-2026-03-13-09-05-00.jpg" if ios else "IMG-20260313-WA0001.jpg"
            voice = "00000004-AUDIO-2026-03-13-09-06-00.opus" if ios else "PTT-20260313-WA0002.opus"
            archive.writestr(photo, tiny_jpeg())
            archive.writestr(voice, b"OggS\x00\x02" + b"\x00" * 100)
    return buffer.getvalue()


def attributed_body(text: str) -> bytes:
    """An NSAttributedString in typedstream form, as Messages stores it (the part Casefile reads)."""
    raw = text.encode()
    length = bytes([len(raw)]) if len(raw) < 0x80 else b"\x81" + len(raw).to_bytes(2, "little")
    return (
        b"\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x84\x84\x84\x12NSAttributedString\x00\x84\x84\x08NSObject\x00"
        b"\x85\x92\x84\x84\x84\x08NSString\x01\x94\x84\x01+" + length + raw + b"\x86\x84\x02iI\x01\x86"
    )


def chat_db(
    path: Path,
    messages: list[tuple[datetime, bool, str, bool]],
    handle: str = "+15550107788",
    attachment: str | None = None,
) -> None:
    """A chat.db (Apple's schema subset): (time, from me, text, only in attributedBody)."""
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, id TEXT NOT NULL, country TEXT,
            service TEXT NOT NULL, uncanonicalized_id TEXT, person_centric_id TEXT);
        CREATE TABLE chat (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, style INTEGER,
            state INTEGER, account_id TEXT, properties BLOB, chat_identifier TEXT, service_name TEXT,
            room_name TEXT, display_name TEXT);
        CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, text TEXT,
            handle_id INTEGER DEFAULT 0, service TEXT, date INTEGER, is_from_me INTEGER DEFAULT 0,
            attributedBody BLOB, cache_has_attachments INTEGER DEFAULT 0);
        CREATE TABLE chat_message_join (chat_id INTEGER REFERENCES chat (ROWID) ON DELETE CASCADE,
            message_id INTEGER REFERENCES message (ROWID) ON DELETE CASCADE, message_date INTEGER DEFAULT 0,
            PRIMARY KEY (chat_id, message_id));
        CREATE TABLE chat_handle_join (chat_id INTEGER, handle_id INTEGER, UNIQUE(chat_id, handle_id));
        CREATE TABLE attachment (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL,
            filename TEXT, mime_type TEXT, transfer_name TEXT, total_bytes INTEGER DEFAULT 0);
        CREATE TABLE message_attachment_join (message_id INTEGER, attachment_id INTEGER,
            UNIQUE(message_id, attachment_id));
        """
    )
    conn.execute("INSERT INTO handle(id, service) VALUES (?, 'iMessage')", (handle,))
    conn.execute("INSERT INTO handle(id, service) VALUES ('+15559990000', 'SMS')")
    conn.execute("INSERT INTO chat(guid, chat_identifier, display_name) VALUES ('iMessage;-;x', ?, '')", (handle,))
    conn.execute("INSERT INTO chat(guid, chat_identifier, display_name) VALUES ('SMS;-;y', '+15559990000', '')")
    conn.execute("INSERT INTO chat_handle_join VALUES (1, 1), (2, 2)")
    for i, (when, from_me, text, only_attributed) in enumerate(messages, 1):
        ns = int((when - APPLE_EPOCH).total_seconds() * 1e9)
        conn.execute(
            "INSERT INTO message(guid, text, handle_id, service, date, is_from_me, attributedBody)"
            " VALUES (?,?,1,'iMessage',?,?,?)",
            (f"m{i}", None if only_attributed else text, ns, int(from_me), attributed_body(text)),
        )
        conn.execute("INSERT INTO chat_message_join VALUES (1, ?, ?)", (i, ns))
    other = int((messages[0][0] - APPLE_EPOCH).total_seconds() * 1e9)
    conn.execute("INSERT INTO message(guid, text, handle_id, date) VALUES ('o1', 'not the client', 2, ?)", (other,))
    conn.execute("INSERT INTO chat_message_join VALUES (2, ?, ?)", (len(messages) + 1, other))
    if attachment:
        conn.execute(
            "INSERT INTO attachment(guid, filename, mime_type, transfer_name) VALUES ('a1', ?, 'image/jpeg', ?)",
            (f"~/Library/Messages/Attachments/ab/01/A1/{attachment}", attachment),
        )
        conn.execute("INSERT INTO message_attachment_join VALUES (1, 1)")
    conn.commit()
    conn.close()

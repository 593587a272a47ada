"""A real (tiny) DNS server on 127.0.0.1 for DKIM key records: UDP, TXT only, built on dnspython.

Names in ``records`` get their TXT answer (split in 255-byte strings as DNS requires), with
the AD flag when ``dnssec`` is set; every other name is NXDOMAIN.
"""

from __future__ import annotations

import socket
import threading


class TxtServer:
    def __init__(self, records: dict[str, str] | None = None, *, dnssec: bool = False) -> None:
        self.records = dict(records or {})
        self.dnssec = dnssec
        self.queries: list[str] = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = int(self.sock.getsockname()[1])
        self.thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def __enter__(self) -> TxtServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.sock.close()
        self.thread.join(5)

    def _serve(self) -> None:
        import dns.flags
        import dns.message
        import dns.rcode
        import dns.rdataclass
        import dns.rdatatype
        import dns.rrset
        from dns.rdtypes.ANY.TXT import TXT

        while True:
            try:
                data, peer = self.sock.recvfrom(4096)
            except OSError:
                return
            query = dns.message.from_wire(data)
            reply = dns.message.make_response(query)
            question = query.question[0]
            name = question.name.to_text().rstrip(".").lower()
            self.queries.append(name)
            text = self.records.get(name)
            if text is None or question.rdtype != dns.rdatatype.TXT:
                reply.set_rcode(dns.rcode.NXDOMAIN)
            else:
                raw = text.encode()
                chunks = [raw[i : i + 255] for i in range(0, len(raw), 255)]
                rrset = dns.rrset.RRset(question.name, dns.rdataclass.IN, dns.rdatatype.TXT)
                rrset.add(TXT(dns.rdataclass.IN, dns.rdatatype.TXT, chunks), ttl=300)
                reply.answer.append(rrset)
            if self.dnssec:
                reply.flags |= dns.flags.AD
            try:
                self.sock.sendto(reply.to_wire(), peer)
            except OSError:
                return

// A real DNS server for tests (UDP and TCP on 127.0.0.1, port 0) answering A/AAAA from a table the test
// changes at will, NXDOMAIN for unknown names, and counting the queries it receives.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import dnsPacket from 'dns-packet';

export interface DnsEntry {
  readonly a?: readonly string[];
  readonly aaaa?: readonly string[];
  /** Record TTL in seconds (default 30). */
  readonly ttl?: number;
  /** Answer this name with an error instead: SERVFAIL, REFUSED, or no answer at all (`drop`). */
  readonly fail?: 'servfail' | 'refused' | 'drop';
}

const RCODE = { noerror: 0, servfail: 2, nxdomain: 3, refused: 5 } as const;

function normalise(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

export class TestDnsServer {
  readonly host: string;
  readonly port: number;
  #udp: UdpSocket;
  #tcp: Server;
  #tcpClients = new Set<Socket>();
  #table = new Map<string, DnsEntry>();
  #queries = new Map<string, number>();

  private constructor(host: string, port: number, udp: UdpSocket, tcp: Server) {
    this.host = host;
    this.port = port;
    this.#udp = udp;
    this.#tcp = tcp;
  }

  /** Starts on `host` (default 127.0.0.1), UDP and TCP on the same free port. */
  static async start(host = '127.0.0.1'): Promise<TestDnsServer> {
    for (let attempt = 0; ; attempt++) {
      const udp = createSocket(host.includes(':') ? 'udp6' : 'udp4');
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(0, host, () => resolve());
      });
      const port = udp.address().port;
      const tcp = createServer();
      try {
        await new Promise<void>((resolve, reject) => {
          tcp.once('error', reject);
          tcp.listen(port, host, () => resolve());
        });
      } catch (error) {
        // The TCP twin of the UDP port was taken; try another pair.
        udp.close();
        if (attempt < 10) continue;
        throw error;
      }
      const server = new TestDnsServer(host, port, udp, tcp);
      server.#listen();
      return server;
    }
  }

  /** `IP:PORT` as `--dns-server` and `Resolver.setServers` take it. */
  get server(): string {
    return this.host.includes(':') ? `[${this.host}]:${this.port}` : `${this.host}:${this.port}`;
  }

  /** Adds or replaces the answer for a name (case-insensitive, trailing dot ignored). */
  set(name: string, entry: DnsEntry): void {
    this.#table.set(normalise(name), entry);
  }

  delete(name: string): void {
    this.#table.delete(normalise(name));
  }

  /** Queries received, for one name and optionally one type (`A`, `AAAA`), or all of them. */
  queryCount(name?: string, type?: 'A' | 'AAAA'): number {
    let total = 0;
    for (const [key, count] of this.#queries) {
      const [qtype, qname] = key.split(' ') as [string, string];
      if ((name === undefined || qname === normalise(name)) && (type === undefined || qtype === type)) total += count;
    }
    return total;
  }

  resetCounts(): void {
    this.#queries.clear();
  }

  async close(): Promise<void> {
    for (const client of this.#tcpClients) client.destroy();
    await Promise.all([
      new Promise<void>((resolve) => this.#udp.close(() => resolve())),
      new Promise<void>((resolve) => this.#tcp.close(() => resolve())),
    ]);
  }

  #listen(): void {
    this.#udp.on('message', (message, remote) => {
      const reply = this.#answer(message, true);
      if (reply !== undefined) this.#udp.send(reply, remote.port, remote.address);
    });
    this.#tcp.on('connection', (socket) => {
      this.#tcpClients.add(socket);
      socket.on('close', () => this.#tcpClients.delete(socket));
      socket.on('error', () => socket.destroy());
      let buffered = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        // TCP DNS messages carry a two-byte length prefix.
        while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
          const length = buffered.readUInt16BE(0);
          const reply = this.#answer(buffered.subarray(2, 2 + length));
          buffered = buffered.subarray(2 + length);
          if (reply !== undefined) {
            const framed = Buffer.alloc(2 + reply.length);
            framed.writeUInt16BE(reply.length, 0);
            reply.copy(framed, 2);
            socket.write(framed);
          }
        }
      });
    });
  }

  /** Queries answered over TCP (clients switch to TCP after a truncated UDP reply). */
  get tcpQueryCount(): number {
    return this.#tcpQueries;
  }

  #tcpQueries = 0;

  #answer(message: Buffer, udp = false): Buffer | undefined {
    let query: dnsPacket.DecodedPacket;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return undefined;
    }
    const question = query.questions?.[0];
    if (question === undefined) return undefined;
    const name = normalise(question.name);
    const key = `${question.type} ${name}`;
    this.#queries.set(key, (this.#queries.get(key) ?? 0) + 1);
    if (!udp) this.#tcpQueries++;
    const entry = this.#table.get(name);
    if (entry?.fail === 'drop') return undefined;
    let rcode: number = RCODE.noerror;
    if (entry === undefined) rcode = RCODE.nxdomain;
    else if (entry.fail !== undefined) rcode = RCODE[entry.fail];
    const ttl = entry?.ttl ?? 30;
    const addresses =
      rcode !== RCODE.noerror
        ? []
        : question.type === 'A'
          ? (entry?.a ?? [])
          : question.type === 'AAAA'
            ? (entry?.aaaa ?? [])
            : [];
    const flags = dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | rcode;
    const reply = dnsPacket.encode({
      type: 'response',
      id: query.id ?? 0,
      flags,
      questions: [question],
      answers: addresses.map((address) => ({
        type: question.type as 'A' | 'AAAA',
        name: question.name,
        ttl,
        class: 'IN' as const,
        data: address,
      })),
    });
    // Classic DNS over UDP stops at 512 bytes: send the header with TC set, and the client retries over TCP.
    if (udp && reply.length > 512) {
      return dnsPacket.encode({
        type: 'response',
        id: query.id ?? 0,
        flags: flags | dnsPacket.TRUNCATED_RESPONSE,
        questions: [question],
        answers: [],
      });
    }
    return reply;
  }
}

// Runs the test DNS server as a process of its own, so it can live inside a network namespace:
// `node --import tsx test/helpers/dns-server-process.ts HOST name=ip …` prints `ready HOST:PORT`.
import { TestDnsServer } from './dns-server.ts';

const [host = '127.0.0.1', ...entries] = process.argv.slice(2);
const server = await TestDnsServer.start(host);
for (const entry of entries) {
  const [name, ip] = entry.split('=');
  if (name === undefined || ip === undefined) throw new Error(`expected name=ip, got ${entry}`);
  server.set(name, ip.includes(':') ? { aaaa: [ip] } : { a: [ip] });
}
console.log(`ready ${server.server}`);

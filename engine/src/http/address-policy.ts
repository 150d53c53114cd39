import { BlockList, isIP } from 'node:net';

/** Address ranges a flow's HTTP request may not reach unless allowed, with what they are. */
const REFUSED: { cidr: string; what: string }[] = [
  { cidr: '0.0.0.0/8', what: 'a "this network" address' },
  { cidr: '10.0.0.0/8', what: 'a private address' },
  { cidr: '100.64.0.0/10', what: 'a carrier-grade NAT address' },
  { cidr: '127.0.0.0/8', what: 'a loopback address' },
  { cidr: '169.254.0.0/16', what: 'a link-local address (where cloud metadata services live)' },
  { cidr: '172.16.0.0/12', what: 'a private address' },
  { cidr: '192.0.0.0/24', what: 'an IETF protocol address' },
  { cidr: '192.168.0.0/16', what: 'a private address' },
  { cidr: '198.18.0.0/15', what: 'a benchmarking address' },
  { cidr: '224.0.0.0/4', what: 'a multicast address' },
  { cidr: '240.0.0.0/4', what: 'a reserved address' },
  { cidr: '::/128', what: 'the unspecified address' },
  { cidr: '::1/128', what: 'a loopback address' },
  { cidr: 'fc00::/7', what: 'a private (unique local) address' },
  { cidr: 'fe80::/10', what: 'a link-local address' },
  { cidr: 'ff00::/8', what: 'a multicast address' },
];

const METADATA = new Set(['169.254.169.254', 'fd00:ec2::254', '100.100.100.200']);

function add(list: BlockList, entry: string): void {
  const [addr, bits] = entry.split('/') as [string, string | undefined];
  const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
  if (bits === undefined) list.addAddress(addr, type);
  else list.addSubnet(addr, Number(bits), type);
}

/** `::ffff:10.0.0.1` is 10.0.0.1: judged as the IPv4 address it maps. */
function unmapped(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? (m[1] as string) : address;
}

/**
 * Which addresses HTTP request nodes may connect to (SSRF protection): anything public, and of
 * the loopback, private, link-local and metadata ranges only what SWITCHBOARD_HTTP_ALLOW_HOSTS
 * names (host names, addresses, CIDRs). Checked on the resolved address of every hop.
 */
export class AddressPolicy {
  private readonly refused = REFUSED.map((r) => {
    const list = new BlockList();
    add(list, r.cidr);
    return { list, what: r.what };
  });
  private readonly allowedAddresses = new BlockList();
  private readonly allowedNames = new Set<string>();

  constructor(allow: readonly string[]) {
    for (const entry of allow) {
      if (isIP(entry.split('/')[0] ?? '') !== 0) add(this.allowedAddresses, entry);
      else this.allowedNames.add(entry.toLowerCase());
    }
  }

  /** The host name is allowed as such (whatever it resolves to). */
  allowsName(host: string): boolean {
    return this.allowedNames.has(host.toLowerCase().replace(/\.$/, ''));
  }

  /** Why `address` is refused, in plain words; undefined when it may be reached. */
  refusal(address: string): string | undefined {
    const a = unmapped(address);
    const type = isIP(a) === 6 ? 'ipv6' : 'ipv4';
    if (this.allowedAddresses.check(a, type)) return undefined;
    const hit = this.refused.find((r) => r.list.check(a, type));
    if (!hit) return undefined;
    const what = METADATA.has(a) ? 'a cloud metadata address' : hit.what;
    return `${a} is ${what}; such addresses are refused unless SWITCHBOARD_HTTP_ALLOW_HOSTS allows them`;
  }
}

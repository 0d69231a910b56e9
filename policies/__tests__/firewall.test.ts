/** The address and port arithmetic the firewall policies rest on. */
import { addressCount, covers, parseCidr, prefixOfCount, union } from "../addresses";
import { opensPort, portRange, portsOpened } from "../firewall";

const range = (cidr: string) => {
  const parsed = parseCidr(cidr);
  if (!parsed) throw new Error(`not a CIDR: ${cidr}`);
  return parsed;
};

describe("parseCidr", () => {
  test.each([
    ["0.0.0.0/0", 4, 0n, 2n ** 32n - 1n],
    ["203.0.113.0/24", 4, 0xcb007100n, 0xcb0071ffn],
    ["10.1.2.3/8", 4, 0x0a000000n, 0x0affffffn],
    ["192.0.2.7", 4, 0xc0000207n, 0xc0000207n],
    ["::/0", 6, 0n, 2n ** 128n - 1n],
    ["8000::/1", 6, 2n ** 127n, 2n ** 128n - 1n],
    ["2400:CB00::/32", 6, 0x2400cb00n << 96n, (0x2400cb00n << 96n) + 2n ** 96n - 1n],
    ["::ffff:192.0.2.1/128", 6, 0xffffc0000201n, 0xffffc0000201n],
    ["1:2:3:4:5:6:7:8/128", 6, 0x00010002000300040005000600070008n, 0x00010002000300040005000600070008n],
    [" 2001:db8::1/64 ", 6, 0x20010db8n << 96n, (0x20010db8n << 96n) + 2n ** 64n - 1n],
  ])("%s", (cidr, family, first, last) => {
    expect(parseCidr(cidr)).toEqual({ family, first, last });
  });

  test.each([
    "",
    "everyone",
    "0.0.0.0/33",
    "256.0.0.0/8",
    "1.2.3/24",
    "10.0.0.0/8/8",
    "10.0.0.0/x",
    "::/129",
    "1::2::3/64",
    "1:2:3:4:5:6:7:8:9/128",
    "1:2:3:4:5:6:7/128",
    "1:2:3:4:5:6:7:8::/128",
    "12345::/16",
    "1.2.3.4::/64",
  ])("refuses %j", (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });
});

describe("union, addressCount, covers", () => {
  test("halves of the world are the world, in each family", () => {
    expect(union([range("128.0.0.0/1"), range("0.0.0.0/1")])).toEqual([range("0.0.0.0/0")]);
    expect(addressCount([range("::/1"), range("8000::/1")], 6)).toBe(2n ** 128n);
  });

  test("overlaps count once, and families apart", () => {
    const ranges = [range("10.0.0.0/8"), range("10.1.0.0/16"), range("2001:db8::/32")];
    expect(addressCount(ranges, 4)).toBe(2n ** 24n);
    expect(addressCount(ranges, 6)).toBe(2n ** 96n);
  });

  test("adjacent ranges merge; a gap keeps them apart", () => {
    expect(union([range("10.0.0.0/9"), range("10.128.0.0/9")])).toEqual([range("10.0.0.0/8")]);
    expect(union([range("10.0.0.0/10"), range("10.128.0.0/9")])).toHaveLength(2);
  });

  test("a part of a range is covered, a larger range or a neighbour is not", () => {
    const cloudflare = [range("104.16.0.0/13"), range("104.24.0.0/14")];
    expect(covers(cloudflare, range("104.16.0.0/14"))).toBe(true);
    expect(covers(cloudflare, range("104.20.0.0/14"))).toBe(true);
    expect(covers(cloudflare, range("104.16.0.0/12"))).toBe(false);
    expect(covers(cloudflare, range("104.28.0.0/14"))).toBe(false);
    expect(covers([range("0.0.0.0/0")], range("::/0"))).toBe(false);
  });

  test("prefixOfCount names the block a count of addresses fills", () => {
    expect(prefixOfCount(2n ** 32n, 4)).toBe(0);
    expect(prefixOfCount(3n * 2n ** 30n, 4)).toBe(1);
    expect(prefixOfCount(2n ** 24n, 4)).toBe(8);
    expect(prefixOfCount(2n ** 96n, 6)).toBe(32);
  });
});

describe("ports", () => {
  test.each([
    ["22", 22, 22],
    ["20-30", 20, 30],
    [" 20 - 30 ", 20, 30],
    ["any", 1, 65535],
    ["ANY", 1, 65535],
    [undefined, 1, 65535],
    // Not a spec Hetzner accepts: read as every port, so that it hides nothing.
    ["30-20", 1, 65535],
    ["ssh", 1, 65535],
    ["0", 1, 65535],
    ["70000", 1, 65535],
  ])("port spec %j is %d-%d", (spec, low, high) => {
    expect(portRange(spec)).toEqual({ low, high });
  });

  test("only inbound tcp and udp rules open ports", () => {
    expect(portsOpened({ direction: "in", protocol: "tcp", port: "22" })).toEqual({ low: 22, high: 22 });
    expect(portsOpened({ direction: "in", protocol: "UDP", port: "53" })).toEqual({ low: 53, high: 53 });
    for (const protocol of ["icmp", "esp", "gre"])
      expect(portsOpened({ direction: "in", protocol, sourceIps: ["0.0.0.0/0"] })).toBeUndefined();
    expect(portsOpened({ direction: "out", protocol: "tcp", port: "22" })).toBeUndefined();
  });

  test("a range opens the ports within it, and only those", () => {
    const rule = { direction: "in", protocol: "tcp", port: "20-30" };
    expect([19, 20, 22, 30, 31].map((port) => opensPort(rule, port))).toEqual([
      false,
      true,
      true,
      true,
      false,
    ]);
  });
});

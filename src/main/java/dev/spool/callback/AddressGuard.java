package dev.spool.callback;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether an outgoing callback, push or Slack request may connect to an address: never to
 * loopback, private, link-local, shared (CGNAT), multicast, reserved, documentation or cloud
 * metadata ranges, unless the operator allowed the address with a CIDR. IPv4 addresses embedded in
 * IPv6 ones (IPv4-mapped, IPv4-compatible, NAT64, 6to4) are judged as the IPv4 address they reach.
 */
final class AddressGuard {

  /** Ranges no callback may reach without an explicit allow. */
  private static final List<Cidr> DENIED =
      Cidr.parseAll(
          List.of(
              // IPv4
              "0.0.0.0/8", // "this network", includes the unspecified address
              "10.0.0.0/8",
              "100.64.0.0/10", // shared address space (CGNAT)
              "127.0.0.0/8",
              "169.254.0.0/16", // link-local, includes 169.254.169.254 (cloud metadata)
              "172.16.0.0/12",
              "192.0.0.0/24", // IETF protocol assignments
              "192.0.2.0/24", // documentation
              "192.88.99.0/24", // 6to4 relay anycast
              "192.168.0.0/16",
              "198.18.0.0/15", // benchmarking
              "198.51.100.0/24",
              "203.0.113.0/24",
              "224.0.0.0/4", // multicast
              "240.0.0.0/4", // reserved, includes broadcast
              // IPv6
              "::/128",
              "::1/128",
              "64:ff9b:1::/48", // local-use NAT64
              "100::/64", // discard-only
              "2001::/32", // Teredo: the embedded address is obfuscated, so refuse it whole
              "2001:db8::/32", // documentation
              "fc00::/7", // unique local, includes fd00:ec2::254 (cloud metadata)
              "fe80::/10", // link-local
              "fec0::/10", // deprecated site-local
              "ff00::/8")); // multicast

  private static final Cidr NAT64 = Cidr.parse("64:ff9b::/96");
  private static final Cidr SIX_TO_FOUR = Cidr.parse("2002::/16");

  private final List<Cidr> allowed;

  AddressGuard(List<String> allowedCidrs) {
    this.allowed = Cidr.parseAll(allowedCidrs);
  }

  /**
   * What an attempt refused by the guard reports through the API. It never names the address: the
   * answer of an internal DNS name is itself internal information (the log has the detail).
   */
  static final String REFUSED = "Address not allowed";

  /** Empty when the address may be reached, else the reason for the server log. */
  Optional<String> refusal(InetAddress address) {
    return isAllowed(address)
        ? Optional.empty()
        : Optional.of("Address " + address.getHostAddress() + " is not allowed");
  }

  /** True for addresses in a range refused by default (loopback, private, …), allowed or not. */
  boolean isInternal(InetAddress address) {
    InetAddress effective = embeddedIpv4(address).orElse(address);
    return matches(DENIED, address) || matches(DENIED, effective);
  }

  boolean isAllowed(InetAddress address) {
    InetAddress effective = embeddedIpv4(address).orElse(address);
    if (matches(allowed, address) || matches(allowed, effective)) {
      return true;
    }
    return !matches(DENIED, address) && !matches(DENIED, effective);
  }

  private static boolean matches(List<Cidr> cidrs, InetAddress address) {
    for (Cidr c : cidrs) {
      if (c.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The IPv4 address an IPv6 address leads to: IPv4-mapped {@code ::ffff:a.b.c.d}, IPv4-compatible
   * {@code ::a.b.c.d}, NAT64 {@code 64:ff9b::a.b.c.d}, 6to4 {@code 2002:AABB:CCDD::}.
   */
  static Optional<InetAddress> embeddedIpv4(InetAddress address) {
    if (!(address instanceof Inet6Address)) {
      return Optional.empty();
    }
    byte[] b = address.getAddress();
    boolean firstTenZero = true;
    for (int i = 0; i < 10; i++) {
      firstTenZero &= b[i] == 0;
    }
    boolean mapped = firstTenZero && b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    boolean compatible =
        firstTenZero && b[10] == 0 && b[11] == 0 && !(b[12] == 0 && b[13] == 0 && b[14] == 0);
    if (mapped || compatible || NAT64.contains(address)) {
      return Optional.of(ipv4(Arrays.copyOfRange(b, 12, 16)));
    }
    if (SIX_TO_FOUR.contains(address)) {
      return Optional.of(ipv4(Arrays.copyOfRange(b, 2, 6)));
    }
    return Optional.empty();
  }

  private static InetAddress ipv4(byte[] four) {
    try {
      return InetAddress.getByAddress(four);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A network in CIDR notation, IPv4 or IPv6; a bare address is a single-address network. */
  record Cidr(byte[] network, int prefix) {

    static List<Cidr> parseAll(List<String> texts) {
      List<Cidr> out = new ArrayList<>();
      for (String t : texts) {
        if (t != null && !t.isBlank()) {
          out.add(parse(t.trim()));
        }
      }
      return List.copyOf(out);
    }

    static Cidr parse(String text) {
      int slash = text.indexOf('/');
      String host = slash < 0 ? text : text.substring(0, slash);
      InetAddress address =
          literal(host)
              .orElseThrow(
                  () -> new IllegalArgumentException("Not an IP address or CIDR: " + text));
      byte[] bytes = address.getAddress();
      int bits = bytes.length * 8;
      int prefix;
      try {
        prefix = slash < 0 ? bits : Integer.parseInt(text.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Not an IP address or CIDR: " + text);
      }
      if (prefix < 0 || prefix > bits) {
        throw new IllegalArgumentException("Prefix out of range in CIDR: " + text);
      }
      return new Cidr(bytes, prefix);
    }

    boolean contains(InetAddress address) {
      byte[] a = address.getAddress();
      if (a.length != network.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (a[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (a[full] & mask) == (network[full] & mask);
    }
  }

  /**
   * Parses an IP literal without ever asking DNS: IPv4 dotted quads and IPv6 (optionally in
   * brackets). Anything else is empty.
   */
  static Optional<InetAddress> literal(String host) {
    String h =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (h.isEmpty()) {
      return Optional.empty();
    }
    boolean ipv4 = h.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    boolean ipv6 = h.indexOf(':') >= 0 && h.matches("[0-9A-Fa-f:.%]+");
    if (!ipv4 && !ipv6) {
      return Optional.empty();
    }
    try {
      // with a literal, InetAddress parses and never resolves
      InetAddress a = InetAddress.getByName(h);
      return Optional.of(a instanceof Inet4Address || a instanceof Inet6Address ? a : null);
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }
}

package dev.spool.callback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spool.support.MadeUpDns;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AddressGuardTests {

  private final AddressGuard guard = new AddressGuard(List.of());

  @ParameterizedTest
  @ValueSource(
      strings = {
        "127.0.0.1",
        "127.255.255.254",
        "10.0.0.1",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.1.1",
        "169.254.169.254",
        "169.254.0.1",
        "100.64.0.1",
        "100.127.255.255",
        "0.0.0.0",
        "0.1.2.3",
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.2.1",
        "198.18.0.1",
        "::",
        "::1",
        "fe80::1",
        "fc00::1",
        "fd00:ec2::254",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "64:ff9b::7f00:1",
        "64:ff9b::a00:1",
        "2002:7f00:1::",
        "2002:a9fe:a9fe::1",
        "2001:db8::1",
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",
        "::127.0.0.1"
      })
  void refusesInternalAddresses(String literal) throws Exception {
    InetAddress address = raw(literal);
    assertThat(guard.isAllowed(address)).as(literal).isFalse();
    assertThat(guard.refusal(address))
        .hasValueSatisfying(m -> assertThat(m).startsWith("Address ").endsWith(" is not allowed"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "93.184.216.34",
        "8.8.8.8",
        "172.32.0.1",
        "100.128.0.1",
        "2606:4700::1111",
        "::ffff:8.8.8.8",
        "64:ff9b::808:808",
        "2002:808:808::1"
      })
  void letsPublicAddressesThrough(String literal) throws Exception {
    assertThat(guard.isAllowed(raw(literal))).as(literal).isTrue();
  }

  @Test
  void anAllowedCidrOpensExactlyThatRange() throws Exception {
    AddressGuard local = new AddressGuard(List.of("127.0.0.0/8", " ::1/128 ", "10.1.0.0/16"));
    assertThat(local.isAllowed(raw("127.0.0.1"))).isTrue();
    assertThat(local.isAllowed(raw("::1"))).isTrue();
    assertThat(local.isAllowed(raw("::ffff:127.0.0.1"))).isTrue();
    assertThat(local.isAllowed(raw("10.1.2.3"))).isTrue();
    assertThat(local.isAllowed(raw("10.2.0.1"))).isFalse();
    assertThat(local.isAllowed(raw("169.254.169.254"))).isFalse();
  }

  @Test
  void aMalformedCidrFailsAtStartupInsteadOfOpeningAnything() {
    assertThatThrownBy(() -> new AddressGuard(List.of("example.com/8")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new AddressGuard(List.of("10.0.0.0/33")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void hostNamesAreNeverTakenForLiterals() {
    assertThat(AddressGuard.literal("evil.test")).isEmpty();
    assertThat(AddressGuard.literal("[::1]")).isPresent();
    assertThat(AddressGuard.literal("127.0.0.1")).isPresent();
  }

  /** A literal as a resolver could hand it over: IPv4-mapped forms stay IPv6 objects. */
  private static InetAddress raw(String literal) throws Exception {
    InetAddress parsed = MadeUpDns.address(literal, literal);
    if (literal.startsWith("::") && !literal.startsWith("::ffff:") && literal.contains(".")) {
      // IPv4-compatible ::a.b.c.d: build the 16 bytes by hand (Java would not keep it IPv6)
      byte[] v4 = InetAddress.getByName(literal.substring(2)).getAddress();
      byte[] b = new byte[16];
      System.arraycopy(v4, 0, b, 12, 4);
      return Inet6Address.getByAddress(literal, b, -1);
    }
    return parsed;
  }
}

package dev.spool.support;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import org.apache.hc.client5.http.DnsResolver;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * Replaces real DNS for outgoing webhooks in every test context: made-up names resolve to fixed
 * addresses, every other name (example.com included) is unknown. No lookup ever leaves the machine,
 * and a callback URL in some other feature's test can never reach the internet.
 */
@TestConfiguration(proxyBeanMethods = false)
public class MadeUpDns {

  public static final Map<String, String[]> NAMES =
      Map.of(
          "localhost", new String[] {"127.0.0.1"},
          "receiver.test", new String[] {"127.0.0.1"},
          "loopback.evil.test", new String[] {"127.0.0.1"},
          "private.evil.test", new String[] {"10.0.0.1"},
          "metadata.evil.test", new String[] {"169.254.169.254"},
          "ipv6-loopback.evil.test", new String[] {"::1"},
          "mapped.evil.test", new String[] {"::ffff:127.0.0.1"},
          "mixed.evil.test", new String[] {"10.0.0.1", "169.254.169.254"});

  /**
   * A literal (parsed, never looked up). {@code ::ffff:a.b.c.d} is kept as a real IPv6 address, as
   * a resolver could return it, rather than the IPv4 address Java would turn it into.
   */
  public static InetAddress address(String host, String literal) throws UnknownHostException {
    if (literal.startsWith("::ffff:")) {
      byte[] v4 = InetAddress.getByName(literal.substring(7)).getAddress();
      byte[] b = new byte[16];
      b[10] = (byte) 0xff;
      b[11] = (byte) 0xff;
      System.arraycopy(v4, 0, b, 12, 4);
      return Inet6Address.getByAddress(host, b, -1);
    }
    return InetAddress.getByAddress(host, InetAddress.getByName(literal).getAddress());
  }

  @Bean
  @Primary
  DnsResolver madeUpDnsResolver() {
    return new DnsResolver() {
      @Override
      public InetAddress[] resolve(String host) throws UnknownHostException {
        String[] addresses = NAMES.get(host);
        if (addresses == null) {
          throw new UnknownHostException(host);
        }
        InetAddress[] out = new InetAddress[addresses.length];
        for (int i = 0; i < addresses.length; i++) {
          out[i] = address(host, addresses[i]);
        }
        return out;
      }

      @Override
      public String resolveCanonicalHostname(String host) {
        return host;
      }
    };
  }
}

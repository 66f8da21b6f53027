package dev.spool.webhook;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hc.client5.http.DnsResolver;

/**
 * The only name resolution the webhook HTTP client does: resolves once, drops every address the
 * {@link AddressGuard} refuses, and hands the connection operator only the addresses that passed.
 * The socket is opened to one of exactly those addresses, so a second lookup (DNS rebinding) has
 * nothing to change. IP literals are parsed here too, never sent to DNS.
 */
final class GuardedDnsResolver implements DnsResolver {

  /** Every address of the host was refused; no connection was attempted. */
  static final class AddressNotAllowedException extends UnknownHostException {
    AddressNotAllowedException(String message) {
      super(message);
    }
  }

  private final DnsResolver delegate;
  private final AddressGuard guard;

  GuardedDnsResolver(DnsResolver delegate, AddressGuard guard) {
    this.delegate = delegate;
    this.guard = guard;
  }

  @Override
  public InetAddress[] resolve(String host) throws UnknownHostException {
    Optional<InetAddress> literal = AddressGuard.literal(host);
    InetAddress[] all =
        literal.isPresent() ? new InetAddress[] {literal.get()} : delegate.resolve(host);
    if (all == null || all.length == 0) {
      throw new UnknownHostException(host);
    }
    List<InetAddress> passed = new ArrayList<>(all.length);
    String firstRefusal = null;
    for (InetAddress address : all) {
      Optional<String> refusal = guard.refusal(address);
      if (refusal.isEmpty()) {
        passed.add(address);
      } else if (firstRefusal == null) {
        firstRefusal = refusal.get();
      }
    }
    if (passed.isEmpty()) {
      throw new AddressNotAllowedException(firstRefusal);
    }
    return passed.toArray(InetAddress[]::new);
  }

  @Override
  public List<InetSocketAddress> resolve(String host, int port) throws UnknownHostException {
    List<InetSocketAddress> out = new ArrayList<>();
    for (InetAddress address : resolve(host)) {
      out.add(new InetSocketAddress(address, port));
    }
    return out;
  }

  @Override
  public String resolveCanonicalHostname(String host) {
    // only used for SPNEGO/Kerberos, which callbacks never do; no extra lookup
    return host;
  }
}

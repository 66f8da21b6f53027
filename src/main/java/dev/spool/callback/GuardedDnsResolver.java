package dev.spool.callback;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.DnsResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only name resolution the webhook HTTP client does: resolves once, drops every address the
 * {@link AddressGuard} refuses, and hands the connection operator only the addresses that passed.
 * The socket is opened to one of exactly those addresses, so a second lookup (DNS rebinding) has
 * nothing to change. IP literals are parsed here too, never sent to DNS.
 *
 * <p>A lookup cannot be interrupted, so it runs on a small pool of lookup threads while the sender
 * waits at most the connect timeout, and never past its attempt's deadline ({@link #withDeadline}):
 * a name server that never answers costs one attempt that, not a sender thread for minutes.
 *
 * <p>The service's own ports (API and management) are refused on every internal or local address,
 * even inside {@code allowed-cidrs}.
 */
final class GuardedDnsResolver implements DnsResolver, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(GuardedDnsResolver.class);

  /** Every address of the host was refused; no connection was attempted. */
  static final class AddressNotAllowedException extends UnknownHostException {
    AddressNotAllowedException(String message) {
      super(message);
    }
  }

  /** The name did not resolve before the attempt's deadline. */
  static final class LookupTimedOutException extends UnknownHostException {
    LookupTimedOutException(String host) {
      super(host);
    }
  }

  /** The end of the current attempt on this thread, as {@link System#nanoTime()}. */
  private static final ThreadLocal<Long> DEADLINE = new ThreadLocal<>();

  private final DnsResolver delegate;
  private final AddressGuard guard;
  private final OwnPorts ownPorts;
  private final Duration lookupTimeout;
  private final ThreadPoolExecutor lookups;

  GuardedDnsResolver(
      DnsResolver delegate,
      AddressGuard guard,
      OwnPorts ownPorts,
      Duration lookupTimeout,
      int lookupThreads) {
    this.delegate = delegate;
    this.guard = guard;
    this.ownPorts = ownPorts;
    this.lookupTimeout = lookupTimeout;
    AtomicInteger n = new AtomicInteger();
    // an unbounded queue is bounded by its callers: each waits for its own lookup and cancels it
    // (so it never runs) when its deadline passes
    this.lookups =
        new ThreadPoolExecutor(
            lookupThreads,
            lookupThreads,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "spool-webhook-dns-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.lookups.allowCoreThreadTimeOut(true);
  }

  /** Sets the deadline lookups on this thread must meet until {@link #clearDeadline()}. */
  static void withDeadline(long deadlineNanos) {
    DEADLINE.set(deadlineNanos);
  }

  static void clearDeadline() {
    DEADLINE.remove();
  }

  @Override
  public InetAddress[] resolve(String host) throws UnknownHostException {
    Optional<InetAddress> literal = AddressGuard.literal(host);
    InetAddress[] all = literal.isPresent() ? new InetAddress[] {literal.get()} : lookup(host);
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
      log.debug("Webhook to {} refused: {}", host, firstRefusal);
      throw new AddressNotAllowedException(AddressGuard.REFUSED);
    }
    return passed.toArray(InetAddress[]::new);
  }

  @Override
  public List<InetSocketAddress> resolve(String host, int port) throws UnknownHostException {
    List<InetSocketAddress> out = new ArrayList<>();
    for (InetAddress address : resolve(host)) {
      if (ownPorts.contains(port) && (guard.isInternal(address) || OwnPorts.isLocal(address))) {
        // never the service itself, whatever allowed-cidrs says
        log.debug("Webhook to {}:{} refused: a port of this service", host, port);
        continue;
      }
      out.add(new InetSocketAddress(address, port));
    }
    if (out.isEmpty()) {
      throw new AddressNotAllowedException(AddressGuard.REFUSED);
    }
    return out;
  }

  /** The delegate's answer, or a timeout once the attempt's deadline has passed. */
  private InetAddress[] lookup(String host) throws UnknownHostException {
    Long deadline = DEADLINE.get();
    // resolving is part of connecting: it gets the connect timeout, and never past the deadline
    long waitNanos =
        deadline == null
            ? lookupTimeout.toNanos()
            : Math.max(0, Math.min(lookupTimeout.toNanos(), deadline - System.nanoTime()));
    Future<InetAddress[]> answer = lookups.submit(() -> delegate.resolve(host));
    try {
      return answer.get(waitNanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      answer.cancel(true);
      throw new LookupTimedOutException(host);
    } catch (InterruptedException e) {
      answer.cancel(true);
      Thread.currentThread().interrupt();
      throw new UnknownHostException(host);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownHostException u) {
        throw u;
      }
      throw new UnknownHostException(host);
    }
  }

  @Override
  public String resolveCanonicalHostname(String host) {
    // only used for SPNEGO/Kerberos, which callbacks never do; no extra lookup
    return host;
  }

  @Override
  public void close() {
    lookups.shutdownNow();
  }
}

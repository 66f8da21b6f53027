package dev.spool.limits;

import org.springframework.stereotype.Component;

/** The per-address throttles of the API key filter, WebSocket upgrades and dashboard sign-ins. */
@Component
public class AddressThrottles {

  private final AddressThrottle failedAuth;
  private final AddressThrottle upgrades;
  private final AddressThrottle signIns;

  AddressThrottles(AbuseProperties p) {
    this.failedAuth =
        new AddressThrottle(p.failedAuthPerSecond(), p.maxAddresses(), System::nanoTime);
    this.upgrades = new AddressThrottle(p.upgradesPerSecond(), p.maxAddresses(), System::nanoTime);
    this.signIns = new AddressThrottle(p.signInsPerSecond(), p.maxAddresses(), System::nanoTime);
  }

  public AddressThrottle failedAuth() {
    return failedAuth;
  }

  public AddressThrottle upgrades() {
    return upgrades;
  }

  public AddressThrottle signIns() {
    return signIns;
  }
}

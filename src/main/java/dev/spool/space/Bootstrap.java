package dev.spool.space;

import dev.spool.common.Ids;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * First start on an empty database: an admin key (from {@code SPOOL_ADMIN_KEY} or generated and
 * printed once) and a space {@code default} with a producer+worker key (printed once). Guarded by
 * an advisory lock so two instances starting together bootstrap once.
 */
@Component
class Bootstrap implements ApplicationRunner {

  private static final Logger log = LoggerFactory.getLogger(Bootstrap.class);
  private static final long LOCK_KEY = 0x5F001_0001L;

  private final JdbcClient jdbc;
  private final ApiKeys keys;
  private final Spaces spaces;
  private final String configuredAdminKey;

  Bootstrap(
      JdbcClient jdbc,
      ApiKeys keys,
      Spaces spaces,
      @Value("${spool.admin-key:}") String configuredAdminKey) {
    this.jdbc = jdbc;
    this.keys = keys;
    this.spaces = spaces;
    this.configuredAdminKey = configuredAdminKey;
  }

  @Override
  @Transactional
  public void run(ApplicationArguments args) {
    jdbc.sql("SELECT pg_advisory_xact_lock(:k)").param("k", LOCK_KEY).query().singleRow();
    long existing = jdbc.sql("SELECT count(*) FROM api_keys").query(Long.class).single();
    if (existing > 0) {
      return;
    }
    String adminKey = configuredAdminKey;
    boolean generated = adminKey == null || adminKey.isBlank();
    if (generated) {
      adminKey = keys.generate();
    } else if (!adminKey.startsWith(keys.prefix())
        || adminKey.length() < keys.prefix().length() + ApiKeys.MIN_SECRET_CHARS) {
      throw new IllegalStateException(
          "SPOOL_ADMIN_KEY must start with '"
              + keys.prefix()
              + "' and carry at least 16 more characters");
    }
    keys.store(null, "admin", adminKey, List.of(Scopes.ADMIN));
    Space space = spaces.create("default", false);
    Spaces.IssuedKey worker =
        spaces.issue(
            space.getId(),
            "default producer+worker",
            Scopes.expand(List.of("jobs:create", "jobs:worker", "jobs:kill")));
    StringBuilder banner = new StringBuilder("\n\n=== Spool first start ===\n");
    if (generated) {
      banner.append("Admin key (shown once): ").append(adminKey).append('\n');
    } else {
      banner.append("Admin key: from SPOOL_ADMIN_KEY\n");
    }
    banner
        .append("Space 'default': ")
        .append(space.getId())
        .append('\n')
        .append("Producer+worker key for 'default' (shown once): ")
        .append(worker.key())
        .append("\n=========================\n");
    log.warn(banner.toString());
    assert Ids.isValid(space.getId());
  }
}
